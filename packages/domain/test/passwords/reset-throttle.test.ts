import type { AuthService } from '../../src';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import type { MemoryStores } from '@latchkey/adapters';
import {
  createAuth,
  PasswordResetEmails,
  ResetRequestsUnavailableError,
  ResetThrottle,
  TooManyResetRequestsError,
  UnknownUserError,
} from '../../src';
import type { ThrottleStore } from '../../src';
import { FakeClock, FakeHasher, mailOutbox } from '../fakes';

describe('reset request throttling', () => {
  let clock: FakeClock;
  let auth: AuthService;
  let stores: MemoryStores;

  beforeEach(async () => {
    clock = new FakeClock();
    const resetThrottle = new ResetThrottle(new MemoryThrottleStore(clock), { requestsPerEmail: 3, requestsPerIp: 5, windowMs: 60_000 });
    stores = memoryStores();
    auth = createAuth({ ...stores, hasher: new FakeHasher(), clock, resetThrottle });
    await auth.registerUser('bob@example.com', 'old');
  });

  const request = (email: string, ip: string) => auth.passwords.request(email, { ip }).catch((error: unknown) => error);

  it('refuses an email past its limit, from any address, until the window ends', async () => {
    for (let i = 0; i < 3; i++) expect(await request('bob@example.com', `10.0.0.${i}`)).toHaveProperty('token');
    const refused = await request('BOB@example.com ', '10.0.0.9');
    expect(refused).toBeInstanceOf(TooManyResetRequestsError);
    expect((refused as TooManyResetRequestsError).retryAfterSeconds).toBe(60);
    clock.advance(60_000);
    expect(await request('bob@example.com', '10.0.0.9')).toHaveProperty('token');
  });

  it('counts unknown emails alike, so a refusal tells nothing', async () => {
    for (let i = 0; i < 3; i++) expect(await request('ghost@example.com', `10.0.1.${i}`)).toBeInstanceOf(UnknownUserError);
    expect(await request('ghost@example.com', '10.0.1.9')).toBeInstanceOf(TooManyResetRequestsError);
  });

  it('refuses a client address past its limit, whatever the emails', async () => {
    for (let i = 0; i < 5; i++) await request(`user${i}@example.com`, '10.0.2.1');
    expect(await request('bob@example.com', '10.0.2.1')).toBeInstanceOf(TooManyResetRequestsError);
    expect(await request('bob@example.com', '10.0.2.2')).toHaveProperty('token');
  });

  it('lets through exactly the limit of 30 concurrent requests for one email', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => request('bob@example.com', `10.0.3.${i}`)));
    expect(results.filter((r) => r instanceof TooManyResetRequestsError)).toHaveLength(27);
  });

  it('bounds the key of a long email', async () => {
    const keys: string[] = [];
    const store = new MemoryThrottleStore(clock);
    const recording: ThrottleStore = { ...store, hit: (key, windowMs) => (keys.push(key), store.hit(key, windowMs)), peek: (k) => store.peek(k), reset: (k) => store.reset(k), take: (k, l, w) => store.take(k, l, w), giveBack: (k) => store.giveBack(k) };
    await new ResetThrottle(recording).reserve(`${'x'.repeat(5000)}@example.com`, { ip: '10.0.4.1' });
    expect(Math.max(...keys.map((key) => key.length))).toBeLessThan(100);
  });

  it('fails closed when its counters cannot be reached', async () => {
    const down: ThrottleStore = {
      hit: () => Promise.reject(new Error('ECONNREFUSED')),
      peek: () => Promise.reject(new Error('ECONNREFUSED')),
      reset: () => Promise.reject(new Error('ECONNREFUSED')),
      take: () => Promise.reject(new Error('ECONNREFUSED')),
      giveBack: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const closed = createAuth({ ...memoryStores(), hasher: new FakeHasher(), resetThrottle: new ResetThrottle(down) });
    const error = await closed.passwords.request('bob@example.com', { ip: '10.0.5.1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResetRequestsUnavailableError);
    expect((error as ResetRequestsUnavailableError).retryAfterSeconds).toBe(5);
  });

  it('does not count tokens issued by an operator (getResetPasswordToken)', async () => {
    for (let i = 0; i < 5; i++) await auth.getResetPasswordToken('bob@example.com');
    expect(await request('bob@example.com', '10.0.6.1')).toHaveProperty('token');
  });

  it('applies to emailed links too, before anything is sent', async () => {
    const sent: string[] = [];
    const outbox = mailOutbox(stores.outbox, { send: async (message) => void sent.push(message.to) }, { clock });
    const emails = new PasswordResetEmails(auth.passwords, outbox, { urlTemplate: 'https://x/{token}', tokenTtlMs: 60_000 });
    outbox.serve(emails);
    for (let i = 0; i < 3; i++) await emails.request('bob@example.com', { ip: `10.0.7.${i}` });
    await expect(emails.request('bob@example.com', { ip: '10.0.7.9' })).rejects.toBeInstanceOf(TooManyResetRequestsError);
    await emails.drain();
    expect(sent).toHaveLength(3);
  });
});
