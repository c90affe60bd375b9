import { describe, expect, it } from 'vitest';
import { OverloadedError } from '@latchkey/domain';
import { BcryptPasswordHasher, BoundedPasswordHasher } from '../src';

// The PasswordHasher contract runs on every hasher in contracts.test.ts.

describe('BoundedPasswordHasher', () => {
  // Cost 10 takes tens of milliseconds a hash: long enough for a backlog to form.
  const slow = new BcryptPasswordHasher(10);

  it('runs `concurrency` hashes, queues `queueMax`, and refuses the rest at once', async () => {
    const hasher = new BoundedPasswordHasher(slow, { concurrency: 1, queueMax: 2 });
    const hash = await slow.hash('pw');
    const attempts = Array.from({ length: 10 }, () => hasher.verify('pw', hash));
    expect(hasher.load).toEqual({ running: 1, waiting: 2 });
    const results = await Promise.allSettled(attempts);
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(accepted.map((r) => r.value)).toEqual([true, true, true]);
    expect(refused).toHaveLength(7);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(OverloadedError);
      expect((reason as OverloadedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses without capturing a stack trace (an expected answer, given hundreds of times a second in a flood)', async () => {
    const hasher = new BoundedPasswordHasher(slow, { concurrency: 1, queueMax: 0 });
    const hash = await slow.hash('pw');
    const running = hasher.verify('pw', hash);
    const refusal = await hasher.verify('pw', hash).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(OverloadedError);
    expect((refusal as Error).stack).toBe('OverloadedError: server busy; try again later');
    expect(new Error('after').stack).toMatch(/\n\s+at /);
    await running;
  });

  it('accepts work again once the backlog drains', async () => {
    const hasher = new BoundedPasswordHasher(slow, { concurrency: 2, queueMax: 0 });
    const first = await Promise.allSettled([hasher.hash('a'), hasher.hash('b'), hasher.hash('c')]);
    expect(first.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(await hasher.verify('a', (first[0] as PromiseFulfilledResult<string>).value)).toBe(true);
  });

  it('frees the slot when the inner hasher fails', async () => {
    const hasher = new BoundedPasswordHasher(new BcryptPasswordHasher(4), { concurrency: 1, queueMax: 0 });
    // bcrypt refuses a non-string password: the failure must not leak the slot.
    await expect(hasher.hash(undefined as unknown as string)).rejects.toThrow();
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
    expect(await hasher.hash('pw')).toMatch(/^\$2b\$04\$/);
  });

  it('refuses impossible limits', () => {
    expect(() => new BoundedPasswordHasher(slow, { concurrency: 0, queueMax: 1 })).toThrow(RangeError);
    expect(() => new BoundedPasswordHasher(slow, { concurrency: 1, queueMax: -1 })).toThrow(RangeError);
  });
});
