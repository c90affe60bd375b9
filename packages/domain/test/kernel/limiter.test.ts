import { describe, expect, it } from 'vitest';
import { MemoryThrottleStore } from '@latchkey/adapters';
import {
  Limiter,
  LoginThrottle,
  ResetRequestsUnavailableError,
  ResetThrottle,
  STORE_UNREACHABLE_RETRY_AFTER_SECONDS,
  SecondFactorThrottle,
  SecondFactorThrottleUnavailableError,
  ThrottleUnavailableError,
  TooManyAttemptsError,
  TooManySecondFactorFailuresError,
  VERIFICATION_RESENDS,
  digestSecret,
  loginRules,
  requestRules,
  retryAfterSeconds,
  secondFactorRules,
} from '../../src';
import type { LimitRule, ThrottleStore } from '../../src';
import { FakeClock } from '../fakes';

/** A memory store that remembers every key it was asked about. */
function recordingStore(clock = new FakeClock()): { store: ThrottleStore; memory: MemoryThrottleStore; keys: string[] } {
  const memory = new MemoryThrottleStore(clock);
  const keys: string[] = [];
  const seen = (key: string) => void keys.push(key);
  const store: ThrottleStore = {
    hit: (key, windowMs) => (seen(key), memory.hit(key, windowMs)),
    take: (key, limit, windowMs) => (seen(key), memory.take(key, limit, windowMs)),
    giveBack: (key) => (seen(key), memory.giveBack(key)),
    peek: (key) => memory.peek(key),
    reset: (key) => (seen(key), memory.reset(key)),
  };
  return { store, memory, keys };
}

const down = new Error('ECONNREFUSED');
const unreachable: ThrottleStore = {
  hit: () => Promise.reject(down),
  take: () => Promise.reject(down),
  giveBack: () => Promise.reject(down),
  peek: () => Promise.reject(down),
  reset: () => Promise.reject(down),
};

describe('the limiter rules', () => {
  it('are named', () => {
    const window = { windowMs: 1000 };
    expect(loginRules({ failuresPerAccount: 1, failuresPerIp: 1, ...window }).map((rule) => rule.name)).toEqual(['login.account', 'login.ip']);
    expect(requestRules({ requestsPerEmail: 1, requestsPerIp: 1, ...window }).map((rule) => rule.name)).toEqual(['reset.email', 'reset.ip']);
    expect(requestRules({ requestsPerEmail: 1, requestsPerIp: 1, ...window }, VERIFICATION_RESENDS).map((rule) => rule.name)).toEqual(['verify_resend.email', 'verify_resend.ip']);
    expect(secondFactorRules({ failuresPerAccount: 1, ...window }).map((rule) => rule.name)).toEqual(['second_factor.account']);
  });

  // The keys are those counters were stored under before the limiter: a running
  // deployment's counters go on counting across the upgrade.
  it('keep the keys counters are stored under', async () => {
    const { store, keys } = recordingStore();
    await new LoginThrottle(store).reserve(' Bob@Example.com', { ip: '192.0.2.1' });
    await new LoginThrottle(store).reserve('not an email');
    await new ResetThrottle(store).reserve('Bob@Example.com', { ip: '192.0.2.1' });
    await new ResetThrottle(store, {}, VERIFICATION_RESENDS).reserve('Bob@Example.com', { ip: '192.0.2.1' });
    await new SecondFactorThrottle(store, { failuresPerAccount: 5, windowMs: 1000 }).reserve(42);
    const email = digestSecret('bob@example.com');
    expect(keys).toEqual([
      'login:account:bob@example.com',
      'login:ip:192.0.2.1',
      `login:account:#${digestSecret('not an email')}`,
      `reset:email:${email}`,
      'reset:ip:192.0.2.1',
      `verify:reset:email:${email}`,
      'verify:reset:ip:192.0.2.1',
      'second_factor:account:42',
    ]);
  });

  it('apply no address rule without an address', async () => {
    const { store, keys } = recordingStore();
    await new LoginThrottle(store).reserve('bob@example.com', { ip: '' });
    await new ResetThrottle(store).reserve('bob@example.com', {});
    expect(keys).toEqual(['login:account:bob@example.com', `reset:email:${digestSecret('bob@example.com')}`]);
  });
});

describe('retry-after', () => {
  it('is the window left in whole seconds, rounded up, at least 1', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(60_000)).toBe(60);
  });

  it('is the same short wait for every rule while the store cannot be reached', async () => {
    expect(STORE_UNREACHABLE_RETRY_AFTER_SECONDS).toBe(5);
    const refusals = await Promise.all([
      new LoginThrottle(unreachable).reserve('bob@example.com').catch((e: unknown) => e),
      new ResetThrottle(unreachable).reserve('bob@example.com').catch((e: unknown) => e),
      new SecondFactorThrottle(unreachable, { failuresPerAccount: 5, windowMs: 1000 }).reserve(1).catch((e: unknown) => e),
    ]);
    expect(refusals.map((e) => (e as Error).constructor)).toEqual([ThrottleUnavailableError, ResetRequestsUnavailableError, SecondFactorThrottleUnavailableError]);
    for (const refusal of refusals) {
      expect((refusal as ThrottleUnavailableError).retryAfterSeconds).toBe(5);
      expect((refusal as Error).cause).toBe(down);
    }
  });

  it('is the last of the refusing windows', async () => {
    const clock = new FakeClock();
    const { store } = recordingStore(clock);
    const throttle = new LoginThrottle(store, { failuresPerAccount: 1, failuresPerIp: 1, windowMs: 60_000 });
    await throttle.reserve('bob@example.com', { ip: '192.0.2.1' });
    clock.advance(30_000);
    await throttle.reserve('amy@example.com', { ip: '192.0.2.2' });
    const refused = await throttle.reserve('bob@example.com', { ip: '192.0.2.2' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyAttemptsError);
    expect((refused as TooManyAttemptsError).retryAfterSeconds).toBe(60);
  });
});

describe('reserving units', () => {
  const rules = (limit: number): Array<LimitRule<string>> => [
    { name: 'test.account', limit, windowMs: 60_000, key: (id) => `account:${id}`, resetOnSuccess: true, errors: { tooMany: (s) => new TooManyAttemptsError(s), unavailable: (s, c) => new ThrottleUnavailableError(s, c) } },
    { name: 'test.all', limit: 100, windowMs: 60_000, key: () => 'all', errors: { tooMany: (s) => new TooManyAttemptsError(s), unavailable: (s, c) => new ThrottleUnavailableError(s, c) } },
  ];

  it('counts no refused attempt and gives back what the others took', async () => {
    const { store, memory } = recordingStore();
    const limiter = new Limiter(store, rules(2));
    await limiter.reserve('a');
    await limiter.reserve('a');
    for (let i = 0; i < 3; i++) await expect(limiter.reserve('a')).rejects.toBeInstanceOf(TooManyAttemptsError);
    expect((await memory.peek('account:a')).count).toBe(2);
    expect((await memory.peek('all')).count).toBe(2);
  });

  it('gives back every unit when abandoned; on success resets the rules that say so and gives back the others', async () => {
    const { store, memory } = recordingStore();
    const limiter = new Limiter(store, rules(5));
    await limiter.reserve('a');
    await (await limiter.reserve('a')).abandoned();
    expect([(await memory.peek('account:a')).count, (await memory.peek('all')).count]).toEqual([1, 1]);
    await (await limiter.reserve('a')).succeeded();
    expect([(await memory.peek('account:a')).count, (await memory.peek('all')).count]).toEqual([0, 1]);
  });

  it('tells when it took the last unit', async () => {
    const limiter = new Limiter(new MemoryThrottleStore(), rules(2));
    expect((await limiter.reserve('a')).exhausted).toBe(false);
    expect((await limiter.reserve('a')).exhausted).toBe(true);
  });

  it('gives back what it took when another counter cannot be reached', async () => {
    const memory = new MemoryThrottleStore();
    const halfDown: ThrottleStore = { ...unreachable, take: (key, limit, windowMs) => (key === 'all' ? Promise.reject(down) : memory.take(key, limit, windowMs)), giveBack: (key) => memory.giveBack(key) };
    await expect(new Limiter(halfDown, rules(5)).reserve('a')).rejects.toBeInstanceOf(ThrottleUnavailableError);
    expect((await memory.peek('account:a')).count).toBe(0);
  });

  it('fails closed when a counter cannot be reset on success', async () => {
    const memory = new MemoryThrottleStore();
    const noReset: ThrottleStore = { hit: (k, w) => memory.hit(k, w), take: (k, l, w) => memory.take(k, l, w), giveBack: (k) => memory.giveBack(k), peek: (k) => memory.peek(k), reset: () => Promise.reject(down) };
    const attempt = await new SecondFactorThrottle(noReset, { failuresPerAccount: 5, windowMs: 1000 }).reserve(7);
    const error = await attempt.succeeded().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecondFactorThrottleUnavailableError);
    expect((error as Error).cause).toBe(down);
  });

  it('refuses a second-factor check once the account has no unit left', async () => {
    const throttle = new SecondFactorThrottle(new MemoryThrottleStore(), { failuresPerAccount: 1, windowMs: 1500 });
    await throttle.reserve(7);
    const refused = await throttle.reserve(7).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManySecondFactorFailuresError);
    expect((refused as TooManySecondFactorFailuresError).retryAfterSeconds).toBe(2);
  });
});

describe('counting requests', () => {
  it('counts refused requests too', async () => {
    const { store, memory } = recordingStore();
    const throttle = new ResetThrottle(store, { requestsPerEmail: 1, requestsPerIp: 10 });
    await throttle.reserve('bob@example.com', { ip: '192.0.2.1' });
    await expect(throttle.reserve('bob@example.com', { ip: '192.0.2.1' })).rejects.toThrow('too many reset requests');
    await expect(throttle.reserve('bob@example.com', { ip: '192.0.2.1' })).rejects.toThrow('too many reset requests');
    expect((await memory.peek(`reset:email:${digestSecret('bob@example.com')}`)).count).toBe(3);
    expect((await memory.peek('reset:ip:192.0.2.1')).count).toBe(3);
  });
});
