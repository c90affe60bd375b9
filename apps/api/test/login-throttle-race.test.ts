import { afterAll, describe, expect, it } from 'vitest';
import { MemoryThrottleStore, RedisThrottleStore } from '@latchkey/adapters';
import type { ThrottleStore } from '@latchkey/domain';
import { LoginThrottle } from '@latchkey/domain';
import { TEST_REDIS_URL, checkRedis, uniqueKeyPrefix } from '../../../packages/adapters/test/real-services';
import { form, startTestServer } from './harness';

const redis = await checkRedis();
const ROUNDS = 5;
const CONCURRENT = 60;
const LIMIT = 10;

/** Statuses of CONCURRENT wrong passwords for one account sent at once, in each of ROUNDS rounds. */
async function race(store: () => ThrottleStore): Promise<Array<Record<number, number>>> {
  const server = await startTestServer({ throttle: new LoginThrottle(store(), { failuresPerAccount: LIMIT, failuresPerIp: 10_000, windowMs: 60_000 }) });
  try {
    const rounds: Array<Record<number, number>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const email = `racer${round}@example.com`;
      expect((await fetch(`${server.url}/users`, { method: 'POST', ...form({ email, password: 'b4l0u' }) })).status).toBe(200);
      const statuses = await Promise.all(
        Array.from({ length: CONCURRENT }, () => fetch(`${server.url}/sessions`, { method: 'POST', ...form({ email, password: 'wrong' }) }).then((r) => r.status)),
      );
      const counts: Record<number, number> = {};
      for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
      rounds.push(counts);
    }
    return rounds;
  } finally {
    await server.close();
  }
}

const expected = Array.from({ length: ROUNDS }, () => ({ 401: LIMIT, 429: CONCURRENT - LIMIT }));

describe('login throttle over HTTP under concurrency', () => {
  it(`checks ${LIMIT} of ${CONCURRENT} concurrent wrong passwords, the rest 429 (${ROUNDS} rounds, memory counters)`, async () => {
    expect(await race(() => new MemoryThrottleStore())).toEqual(expected);
  });

  const stores: RedisThrottleStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  it.skipIf(!redis.available)(`checks ${LIMIT} of ${CONCURRENT} on two Redis connections, as two instances would (${ROUNDS} rounds)`, async () => {
    const prefix = uniqueKeyPrefix('login-race');
    const [a, b] = await Promise.all([RedisThrottleStore.connect(TEST_REDIS_URL, { keyPrefix: prefix }), RedisThrottleStore.connect(TEST_REDIS_URL, { keyPrefix: prefix })]);
    stores.push(a!, b!);
    let next = 0;
    // Each request alternates between the two connections, as a balancer alternates instances.
    const alternating: ThrottleStore = {
      hit: (...args) => (next++ % 2 ? a! : b!).hit(...args),
      take: (...args) => (next++ % 2 ? a! : b!).take(...args),
      giveBack: (...args) => (next++ % 2 ? a! : b!).giveBack(...args),
      peek: (...args) => (next++ % 2 ? a! : b!).peek(...args),
      reset: (...args) => (next++ % 2 ? a! : b!).reset(...args),
    };
    expect(await race(() => alternating)).toEqual(expected);
  });
});
