import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryThrottleStore, RedisThrottleStore } from '@latchkey/adapters';
import type { ThrottleStore } from '@latchkey/domain';
import { ResetTokenThrottle } from '@latchkey/domain';
import { TEST_REDIS_URL, checkRedis, uniqueKeyPrefix } from '../../../packages/adapters/test/real-services';
import type { TestServer } from './harness';
import { form, startTestServer } from './harness';

const redis = await checkRedis();

const put = (url: string, fields: Record<string, string>, ip?: string) =>
  fetch(`${url}/reset_password`, { method: 'PUT', ...form(fields), headers: { ...form({}).headers, ...(ip ? { 'x-forwarded-for': ip } : {}) } });

describe('PUT /reset_password throttle (production defaults)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({}, { http: { trustProxy: true } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 429 with Retry-After past 10 wrong tokens for one email, from any address, even for the right token', async () => {
    await fetch(`${server.url}/users`, { method: 'POST', ...form({ email: 'bob@example.com', password: 'b4l0u' }) });
    const { reset_token } = (await (await fetch(`${server.url}/reset_password`, { method: 'POST', ...form({ email: 'bob@example.com' }) })).json()) as { reset_token: string };
    for (let i = 0; i < 10; i++) expect((await put(server.url, { email: 'bob@example.com', reset_token: `wrong${i}`, new_password: 'n3w' }, `198.51.100.${i}`)).status).toBe(403);
    const refused = await put(server.url, { email: 'Bob@Example.com', reset_token, new_password: 't4rt1fl3tt3' }, '198.51.100.99');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(await refused.json()).toEqual({ message: 'too many wrong reset tokens; try again later', code: 'too_many_reset_token_failures' });
  });

  it('answers 429 past 100 wrong tokens from one address, whatever the emails', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await put(server.url, { email: `nobody${i}@example.com`, reset_token: 'guess', new_password: 'n3w' }, '203.0.113.7')).status);
    expect(statuses.slice(0, 100).every((status) => status === 403)).toBe(true);
    expect(statuses[100]).toBe(429);
    expect((await put(server.url, { email: 'nobody@example.com', reset_token: 'guess', new_password: 'n3w' }, '203.0.113.8')).status).toBe(403);
  });
});

const ROUNDS = 5;
const CONCURRENT = 60;
const LIMIT = 10;

/** Statuses of CONCURRENT wrong tokens for one email sent at once, in each of ROUNDS rounds. */
async function race(store: () => ThrottleStore): Promise<Array<Record<number, number>>> {
  const server = await startTestServer({ resetTokenThrottle: new ResetTokenThrottle(store(), { failuresPerAccount: LIMIT, failuresPerIp: 10_000, windowMs: 60_000 }) });
  try {
    const rounds: Array<Record<number, number>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const email = `racer${round}@example.com`;
      expect((await fetch(`${server.url}/users`, { method: 'POST', ...form({ email, password: 'b4l0u' }) })).status).toBe(200);
      expect((await fetch(`${server.url}/reset_password`, { method: 'POST', ...form({ email }) })).status).toBe(200);
      const statuses = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => put(server.url, { email, reset_token: `guess${i}`, new_password: 'n3w' }).then((r) => r.status)));
      const counts: Record<number, number> = {};
      for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
      rounds.push(counts);
    }
    return rounds;
  } finally {
    await server.close();
  }
}

const expected = Array.from({ length: ROUNDS }, () => ({ 403: LIMIT, 429: CONCURRENT - LIMIT }));

describe('wrong reset tokens over HTTP under concurrency', () => {
  it(`looks up ${LIMIT} of ${CONCURRENT} concurrent wrong tokens, the rest 429 (${ROUNDS} rounds, memory counters)`, async () => {
    expect(await race(() => new MemoryThrottleStore())).toEqual(expected);
  });

  const stores: RedisThrottleStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  it.skipIf(!redis.available)(`looks up ${LIMIT} of ${CONCURRENT} on two Redis connections, as two instances would (${ROUNDS} rounds)`, async () => {
    const prefix = uniqueKeyPrefix('reset-token-race');
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
