import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import type { AuthService } from '../../src';
import { createAuth, InvalidCredentialsError, LoginThrottle, ThrottleUnavailableError, TooManyAttemptsError } from '../../src';
import type { ThrottleStore } from '../../src';
import { FakeClock, FakeHasher } from '../fakes';

describe('login throttling', () => {
  let clock: FakeClock;
  let hasher: FakeHasher;
  let auth: AuthService;

  beforeEach(async () => {
    clock = new FakeClock();
    hasher = new FakeHasher();
    const throttle = new LoginThrottle(new MemoryThrottleStore(clock), { failuresPerAccount: 3, failuresPerIp: 5, windowMs: 60_000 });
    auth = createAuth({ ...memoryStores(), hasher, clock, throttle });
    await auth.registerUser('bob@example.com', 'right');
    await auth.registerUser('amy@example.com', 'right');
  });

  async function fail(email: string, ip: string): Promise<unknown> {
    return auth.logins.login(email, 'wrong', { ip }).catch((error: unknown) => error);
  }

  it('locks an account after its limit of failures, even for the right password, until the window ends', async () => {
    for (let i = 0; i < 3; i++) expect(await fail('bob@example.com', `10.0.0.${i}`)).toBeInstanceOf(InvalidCredentialsError);
    const locked = await auth.logins.login('bob@example.com', 'right', { ip: '10.0.0.9' }).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(TooManyAttemptsError);
    expect((locked as TooManyAttemptsError).retryAfterSeconds).toBe(60);
    await expect(auth.logins.login('BOB@example.com ', 'right')).rejects.toBeInstanceOf(TooManyAttemptsError);
    expect((await auth.logins.login('amy@example.com', 'right', { ip: '10.0.0.1' })).user.email).toBe('amy@example.com');
    clock.advance(45_000);
    const later = await auth.logins.login('bob@example.com', 'right').catch((e: unknown) => e);
    expect((later as TooManyAttemptsError).retryAfterSeconds).toBe(15);
    clock.advance(15_000);
    expect((await auth.logins.login('bob@example.com', 'right')).user.email).toBe('bob@example.com');
  });

  it('does no hashing while locked out', async () => {
    for (let i = 0; i < 3; i++) await fail('bob@example.com', '10.0.0.1');
    hasher.verifications = 0;
    await expect(auth.logins.login('bob@example.com', 'right')).rejects.toBeInstanceOf(TooManyAttemptsError);
    expect(hasher.verifications).toBe(0);
  });

  it('locks a client address after its limit of failures across accounts', async () => {
    for (let i = 0; i < 5; i++) await fail(`ghost${i}@example.com`, '192.0.2.7');
    await expect(auth.logins.login('amy@example.com', 'right', { ip: '192.0.2.7' })).rejects.toBeInstanceOf(TooManyAttemptsError);
    expect((await auth.logins.login('amy@example.com', 'right', { ip: '192.0.2.8' })).user.email).toBe('amy@example.com');
  });

  it('counts unknown emails like known ones', async () => {
    for (let i = 0; i < 3; i++) expect(await fail('ghost@example.com', `10.1.0.${i}`)).toBeInstanceOf(InvalidCredentialsError);
    expect(await fail('ghost@example.com', '10.1.0.9')).toBeInstanceOf(TooManyAttemptsError);
  });

  it('a successful login clears the account counter', async () => {
    await fail('bob@example.com', '10.0.0.1');
    await fail('bob@example.com', '10.0.0.1');
    await auth.logins.login('bob@example.com', 'right');
    await fail('bob@example.com', '10.0.0.1');
    await fail('bob@example.com', '10.0.0.1');
    expect((await auth.logins.login('bob@example.com', 'right')).user.email).toBe('bob@example.com');
  });
});

describe('login throttling without its counters', () => {
  it('refuses every login, right password or not, with ThrottleUnavailableError, and does no hashing', async () => {
    const down = new Error('connection refused');
    const refuse = () => Promise.reject(down);
    const store: ThrottleStore = { hit: refuse, take: refuse, giveBack: refuse, peek: refuse, reset: refuse };
    const hasher = new FakeHasher();
    const auth = createAuth({ ...memoryStores(), hasher, throttle: new LoginThrottle(store) });
    await auth.registerUser('bob@example.com', 'right');
    hasher.verifications = 0;
    const refused = await auth.logins.login('bob@example.com', 'right').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ThrottleUnavailableError);
    expect((refused as ThrottleUnavailableError).retryAfterSeconds).toBe(5);
    expect((refused as Error).cause).toBe(down);
    expect(hasher.verifications).toBe(0);
  });
});
