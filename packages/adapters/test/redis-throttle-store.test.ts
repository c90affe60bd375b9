import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tools/server-process';
import { RedisThrottleStore } from '../src';
import { TEST_REDIS_URL, checkRedis, newRedis, uniqueKeyPrefix } from './real-services';

const redis = await checkRedis();

// The ThrottleStore contract runs on Redis in contracts.test.ts.
describe.skipIf(!redis.available)(`Redis${redis.available ? '' : ` (skipped: ${redis.reason})`}`, () => {
  describe('RedisThrottleStore', () => {
    const prefix = uniqueKeyPrefix('throttle-store');
    const client = newRedis(TEST_REDIS_URL);
    const stores: RedisThrottleStore[] = [];
    const open = async () => {
      const store = await RedisThrottleStore.connect(TEST_REDIS_URL, { keyPrefix: prefix });
      stores.push(store);
      return store;
    };
    afterAll(async () => {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length) await client.del(...keys);
      await Promise.all(stores.map((store) => store.close()));
      client.disconnect();
    });

    it('shares counters between clients, as between instances', async () => {
      const [a, b] = await Promise.all([open(), open()]);
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).hit('shared', 60_000)));
      expect((await a.peek('shared')).count).toBe(20);
      expect((await b.hit('shared', 60_000)).count).toBe(21);
    });

    it('lets exactly the limit take, however many clients race (10 rounds of 60 on two connections against 10)', async () => {
      const [a, b] = await Promise.all([open(), open()]);
      const rounds = await Promise.all(
        Array.from({ length: 10 }, async (_, round) => {
          const takes = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take(`race:${round}`, 10, 60_000)));
          return takes.filter((take) => take.taken).length;
        }),
      );
      expect(rounds).toEqual(Array.from({ length: 10 }, () => 10));
    });

    it('keeps its keys under the prefix, with an expiry', async () => {
      await (await open()).hit('user@example.com', 60_000);
      const ttl = await client.pttl(`${prefix}user@example.com`);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it('gives an expiry to a counter found without one', async () => {
      await client.set(`${prefix}stale`, '5');
      const count = await (await open()).hit('stale', 60_000);
      expect(count.count).toBe(6);
      expect(count.resetInMs).toBeGreaterThan(55_000);
      expect(await client.pttl(`${prefix}stale`)).toBeGreaterThan(55_000);
    });

    it('refuses to start when Redis does not answer', async () => {
      await expect(RedisThrottleStore.connect('redis://127.0.0.1:1')).rejects.toThrow(/Redis at 127\.0\.0\.1:1 does not answer/);
    });
  });
});

/** A Redis of this test's own, which it can stop and start again on the same port. */
async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  return child;
}

const redisServerInstalled = spawnSync('redis-server', ['--version']).status === 0;

describe.skipIf(!redisServerInstalled)('RedisThrottleStore when Redis goes away and comes back', () => {
  it('fails while Redis is down, reports the outage once, and works again when it is back', async () => {
    const port = await freePort();
    let redisServer = await startPrivateRedis(port);
    const outages: Error[] = [];
    const store = await RedisThrottleStore.connect(`redis://127.0.0.1:${port}`, { onConnectionError: (error) => outages.push(error) });
    try {
      expect((await store.hit('k', 60_000)).count).toBe(1);
      redisServer.kill('SIGKILL');
      await new Promise((resolve) => redisServer.once('exit', resolve));
      await expect(store.hit('k', 60_000)).rejects.toThrow();
      await expect(store.peek('k')).rejects.toThrow();
      // Commands fail at once; the outage is reported when reconnecting fails, and only once.
      await waitUntil(async () => outages.length > 0);
      await sleep(500);
      expect(outages).toHaveLength(1);

      redisServer = await startPrivateRedis(port);
      await waitUntil(async () => (await store.hit('k', 60_000).catch(() => undefined))?.count === 1);
    } finally {
      await store.close().catch(() => undefined);
      redisServer.kill('SIGKILL');
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}
