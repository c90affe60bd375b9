import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import { createAuth, InvalidCredentialsError, LoginThrottle, OverloadedError, TooManyAttemptsError } from '../../src';
import type { PasswordHasher } from '../../src';
import { FakeHasher } from '../fakes';

/** A hasher whose checks take a few milliseconds, as bcrypt's do, so that logins overlap. */
class SlowHasher extends FakeHasher {
  override async verify(password: string, hashed: string): Promise<boolean> {
    await sleep(5);
    return super.verify(password, hashed);
  }
}

const ROUNDS = 10;
const CONCURRENT = 60;
const LIMIT = 10;

async function raceWrongPasswords(hasher: FakeHasher, ip: (i: number) => string): Promise<{ checked: number; outcomes: Record<string, number> }> {
  const throttle = new LoginThrottle(new MemoryThrottleStore(), { failuresPerAccount: LIMIT, failuresPerIp: 1000, windowMs: 60_000 });
  const auth = createAuth({ ...memoryStores(), hasher, throttle });
  await auth.registerUser('bob@example.com', 'right');
  hasher.verifications = 0;
  const results = await Promise.all(
    Array.from({ length: CONCURRENT }, (_, i) => auth.logins.login('bob@example.com', 'wrong', { ip: ip(i) }).catch((error: unknown) => (error as Error).name)),
  );
  const outcomes: Record<string, number> = {};
  for (const name of results) outcomes[name as string] = (outcomes[name as string] ?? 0) + 1;
  return { checked: hasher.verifications, outcomes };
}

describe('login throttle under concurrency', () => {
  it(`checks at most the limit of passwords when ${CONCURRENT} wrong ones race for one account (${ROUNDS} rounds)`, async () => {
    const rounds = await Promise.all(Array.from({ length: ROUNDS }, () => raceWrongPasswords(new SlowHasher(), (i) => `10.0.${i}.1`)));
    for (const round of rounds) {
      expect(round.checked).toBe(LIMIT);
      expect(round.outcomes).toEqual({ [InvalidCredentialsError.name]: LIMIT, [TooManyAttemptsError.name]: CONCURRENT - LIMIT });
    }
  });

  it(`checks at most the limit from one address across accounts (${ROUNDS} rounds)`, async () => {
    const rounds = await Promise.all(
      Array.from({ length: ROUNDS }, async () => {
        const hasher = new SlowHasher();
        const throttle = new LoginThrottle(new MemoryThrottleStore(), { failuresPerAccount: 1000, failuresPerIp: LIMIT, windowMs: 60_000 });
        const auth = createAuth({ ...memoryStores(), hasher, throttle });
        await Promise.allSettled(Array.from({ length: CONCURRENT }, (_, i) => auth.logins.login(`ghost${i}@example.com`, 'wrong', { ip: '192.0.2.7' })));
        return hasher.verifications;
      }),
    );
    expect(rounds).toEqual(Array.from({ length: ROUNDS }, () => LIMIT));
  });

  it('gives the units back when the password could not be checked, and a right password clears the account', async () => {
    const store = new MemoryThrottleStore();
    const throttle = new LoginThrottle(store, { failuresPerAccount: 2, failuresPerIp: 2, windowMs: 60_000 });
    const hasher = new FakeHasher();
    let overloaded = false;
    const flaky: PasswordHasher = {
      hash: (password) => hasher.hash(password),
      verify: (password, hashed) => (overloaded ? Promise.reject(new OverloadedError(1)) : hasher.verify(password, hashed)),
      needsRehash: (hashed) => hasher.needsRehash(hashed),
    };
    const auth = createAuth({ ...memoryStores(), hasher: flaky, throttle });
    await auth.registerUser('bob@example.com', 'right');
    overloaded = true;
    for (let i = 0; i < 5; i++) await expect(auth.logins.login('bob@example.com', 'right', { ip: '10.0.0.1' })).rejects.toBeInstanceOf(OverloadedError);
    overloaded = false;
    expect((await store.peek('login:account:bob@example.com')).count).toBe(0);
    await expect(auth.logins.login('bob@example.com', 'wrong', { ip: '10.0.0.1' })).rejects.toBeInstanceOf(InvalidCredentialsError);
    await auth.logins.login('bob@example.com', 'right', { ip: '10.0.0.1' });
    expect((await store.peek('login:account:bob@example.com')).count).toBe(0);
    // The address keeps its failure, not the right password's unit.
    expect((await store.peek('login:ip:10.0.0.1')).count).toBe(1);
  });
});
