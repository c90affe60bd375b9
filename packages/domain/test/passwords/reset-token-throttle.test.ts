import { describe, expect, it } from 'vitest';
import { MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import {
  createAuth,
  DependencyUnavailableError,
  digestSecret,
  InvalidResetTokenError,
  ResetTokenChecksUnavailableError,
  ResetTokenThrottle,
  resetTokenRules,
  TooManyResetTokenFailuresError,
} from '../../src';
import type { AuthService, PasswordResetTokenRepository, ThrottleStore } from '../../src';
import { FakeClock, FakeHasher } from '../fakes';

const LIMIT = 10;

function setUp(settings: Partial<ConstructorParameters<typeof ResetTokenThrottle>[1]> = {}, resetTokens?: (stored: PasswordResetTokenRepository) => PasswordResetTokenRepository) {
  const clock = new FakeClock();
  const store = new MemoryThrottleStore(clock);
  const stores = memoryStores();
  const resetTokenThrottle = new ResetTokenThrottle(store, { failuresPerAccount: LIMIT, failuresPerIp: 1000, windowMs: 60_000, ...settings });
  const auth = createAuth({ ...stores, resetTokens: resetTokens ? resetTokens(stores.resetTokens) : stores.resetTokens, hasher: new FakeHasher(), clock, resetTokenThrottle });
  return { clock, store, auth };
}

const accountKey = (email: string) => `reset_token:account:${digestSecret(email)}`;
const outcome = (auth: AuthService, token: string, email = 'bob@example.com', ip = '10.0.0.1') =>
  auth.updatePassword(token, 'n3w', email, { ip }).then(
    () => 'ok',
    (error: unknown) => (error as Error).name,
  );

describe('wrong reset token throttling', () => {
  it('names its rules and keeps the email as a digest', () => {
    const rules = resetTokenRules({ failuresPerAccount: 1, failuresPerIp: 1, windowMs: 1000 });
    expect(rules.map((rule) => rule.name)).toEqual(['reset_token.account', 'reset_token.ip']);
    expect(rules.map((rule) => rule.key({ email: 'bob@example.com', client: { ip: '192.0.2.1' } }))).toEqual([accountKey('bob@example.com'), 'reset_token:ip:192.0.2.1']);
    expect(rules.map((rule) => rule.key({ email: undefined, client: {} }))).toEqual([undefined, undefined]);
  });

  it('refuses an email past its limit of wrong tokens, from any address, even with the right token, until the window ends', async () => {
    const { auth, clock } = setUp();
    await auth.registerUser('bob@example.com', 'old');
    const token = await auth.getResetPasswordToken('bob@example.com');
    for (let i = 0; i < LIMIT; i++) expect(await outcome(auth, `wrong${i}`, 'bob@example.com', `10.0.0.${i}`)).toBe(InvalidResetTokenError.name);
    const refused = await auth.updatePassword(token, 'n3w', 'Bob@Example.com', { ip: '10.0.1.1' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyResetTokenFailuresError);
    expect((refused as TooManyResetTokenFailuresError).retryAfterSeconds).toBe(60);
    clock.advance(60_000);
    expect(await outcome(auth, token)).toBe('ok');
  });

  it('refuses a client address past its limit, whatever the emails, and leaves other addresses alone', async () => {
    const { auth } = setUp({ failuresPerAccount: 1000, failuresPerIp: 3 });
    for (let i = 0; i < 3; i++) expect(await outcome(auth, 'wrong', `user${i}@example.com`, '192.0.2.7')).toBe(InvalidResetTokenError.name);
    expect(await outcome(auth, 'wrong', 'amy@example.com', '192.0.2.7')).toBe(TooManyResetTokenFailuresError.name);
    expect(await outcome(auth, 'wrong', 'amy@example.com', '192.0.2.8')).toBe(InvalidResetTokenError.name);
  });

  it('counts a right token for another email as a wrong one', async () => {
    const { auth, store } = setUp();
    await auth.registerUser('bob@example.com', 'old');
    const token = await auth.getResetPasswordToken('bob@example.com');
    expect(await outcome(auth, token, 'amy@example.com')).toBe(InvalidResetTokenError.name);
    expect((await store.peek(accountKey('amy@example.com'))).count).toBe(1);
  });

  it('clears the email on a right token, gives the address its unit back, and counts nothing for a refused password', async () => {
    const { auth, store } = setUp({ failuresPerIp: 10 });
    await auth.registerUser('bob@example.com', 'old');
    const token = await auth.getResetPasswordToken('bob@example.com');
    for (let i = 0; i < 3; i++) await outcome(auth, 'wrong');
    await expect(auth.updatePassword(token, '', 'bob@example.com', { ip: '10.0.0.1' })).rejects.toThrow();
    expect([(await store.peek(accountKey('bob@example.com'))).count, (await store.peek('reset_token:ip:10.0.0.1')).count]).toEqual([3, 3]);
    expect(await outcome(auth, token)).toBe('ok');
    expect([(await store.peek(accountKey('bob@example.com'))).count, (await store.peek('reset_token:ip:10.0.0.1')).count]).toEqual([0, 3]);
  });

  it('gives both units back when the tokens cannot be read', async () => {
    const outage = new DependencyUnavailableError(1);
    const { auth, store } = setUp({}, (stored) => ({ issue: (...args) => stored.issue(...args), consume: () => Promise.reject(outage) }));
    await expect(auth.updatePassword('whatever', 'n3w', 'bob@example.com', { ip: '10.0.0.1' })).rejects.toBe(outage);
    expect([(await store.peek(accountKey('bob@example.com'))).count, (await store.peek('reset_token:ip:10.0.0.1')).count]).toEqual([0, 0]);
  });

  it('checks no token while its counters cannot be reached', async () => {
    const down = new Error('ECONNREFUSED');
    const unreachable: ThrottleStore = {
      hit: () => Promise.reject(down),
      take: () => Promise.reject(down),
      giveBack: () => Promise.reject(down),
      peek: () => Promise.reject(down),
      reset: () => Promise.reject(down),
    };
    let lookups = 0;
    const stores = memoryStores();
    const resetTokens: PasswordResetTokenRepository = { issue: (...args) => stores.resetTokens.issue(...args), consume: (...args) => (lookups++, stores.resetTokens.consume(...args)) };
    const auth = createAuth({ ...stores, resetTokens, hasher: new FakeHasher(), resetTokenThrottle: new ResetTokenThrottle(unreachable) });
    const error = await auth.updatePassword('whatever', 'n3w', 'bob@example.com', { ip: '10.0.0.1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResetTokenChecksUnavailableError);
    expect((error as ResetTokenChecksUnavailableError).retryAfterSeconds).toBe(5);
    expect(lookups).toBe(0);
  });

  it(`looks up at most ${LIMIT} of 60 wrong tokens racing for one email (10 rounds)`, async () => {
    const rounds = await Promise.all(
      Array.from({ length: 10 }, async () => {
        let lookups = 0;
        const { auth } = setUp({}, (stored) => ({
          issue: (...args) => stored.issue(...args),
          // A lookup that takes a while, as a database's does, so that the guesses overlap.
          consume: async (...args) => (lookups++, await new Promise((resolve) => setTimeout(resolve, 5)), stored.consume(...args)),
        }));
        const results = await Promise.all(Array.from({ length: 60 }, (_, i) => outcome(auth, `guess${i}`, 'bob@example.com', `10.0.${i}.1`)));
        const counts: Record<string, number> = {};
        for (const name of results) counts[name] = (counts[name] ?? 0) + 1;
        return { lookups, counts };
      }),
    );
    for (const round of rounds) expect(round).toEqual({ lookups: LIMIT, counts: { [InvalidResetTokenError.name]: LIMIT, [TooManyResetTokenFailuresError.name]: 60 - LIMIT } });
  });
});
