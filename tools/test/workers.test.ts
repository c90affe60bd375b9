import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runAcceptance } from '../acceptance';
import { redisServerInstalled, startPrivateRedis } from '../private-redis';
import type { PrivateRedis } from '../private-redis';
import { freePort, startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import { alive, until } from './support/waiting';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-workers-'));
let server: ServerProcess | undefined;
let redis: PrivateRedis | undefined;

afterEach(async () => {
  await server?.stop();
  await redis?.stop();
  server = redis = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts WORKERS=2 on a database of its own and waits until both workers listen. */
async function startTwoWorkers(name: string, extra: Record<string, string> = {}) {
  // A fresh database: the primary migrates once, so the workers do not race for the lock.
  server = await startServerProcess({ WORKERS: '2', NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`, ...extra });
  const output = server.output;
  const workerPids = () => [...output().matchAll(/worker (\d+) started/g)].map((m) => Number(m[1]));
  const listening = () => [...output().matchAll(/listening on (http:\/\/[^\s"]+)/g)].map((m) => m[1]);
  await until('two workers listening', () => (listening().length >= 2 ? true : undefined));
  return { server, output, workerPids, listening };
}

function form(url: string, path: string, body: string): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

describe('WORKERS=2', () => {
  it('runs two API processes on one port, replaces one that dies, and stops them all', async () => {
    const { output, workerPids, listening } = await startTwoWorkers('replace');
    expect(new Set(listening())).toEqual(new Set([server!.url]));
    const [first, second] = workerPids();
    expect(first).not.toBe(second);
    expect(first !== undefined && alive(first) && second !== undefined && alive(second)).toBe(true);
    // The primary's lines are JSON like the workers'.
    for (const line of output().split('\n').filter(Boolean)) expect(() => JSON.parse(line) as unknown).not.toThrow();

    await runAcceptance(server!.url);

    process.kill(first!, 'SIGKILL');
    await until('a third worker', () => (listening().length >= 3 ? true : undefined));
    expect(output()).toContain(`worker ${first} exited with signal SIGKILL; starting another`);
    const replacement = workerPids()[2]!;
    expect(alive(replacement)).toBe(true);
    expect((await fetch(`${server!.url}/`)).status).toBe(200);

    expect(await server!.stop()).toBe(0);
    for (const pid of [second!, replacement]) await until(`worker ${pid} to end`, () => (alive(pid) ? undefined : true), 5000);
  }, 90_000);

  it('stops with an error, instead of forking again and again, when workers cannot start', async () => {
    const env = { WORKERS: '2', NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, 'other.db')}`, REDIS_URL: 'redis://127.0.0.1:1' };
    const failure = await startServerProcess(env).then(
      async (started) => `started at ${started.url} (exit ${await started.stop()})`,
      (error: unknown) => String(error),
    );
    expect(failure).toMatch(/server exited with 69/);
    expect(failure).toMatch(/latchkey: cannot start: Redis at 127\.0\.0\.1:1 does not answer/);
    expect(failure).toMatch(/exited with code 69 before listening; stopping/);
    expect(failure.match(/worker \d+ started/g)).toHaveLength(2);
  }, 90_000);

  it.skipIf(!redisServerInstalled)(
    'keeps serving when a worker dies while Redis is down, retries its replacement with backoff, and is whole again once Redis is back',
    async () => {
      redis = await startPrivateRedis(await freePort());
      const { output, workerPids, listening } = await startTwoWorkers('redis-down', { REDIS_URL: redis.url });
      const credentials = 'email=worker%40example.com&password=b4l0u';
      expect((await form(server!.url, '/users', credentials)).status).toBe(200);
      await redis.stop();
      const [first, second] = workerPids();
      process.kill(first!, 'SIGKILL');

      await until('a failed replacement', () => (/before listening; trying again in 1000 ms/.test(output()) ? true : undefined));
      expect(output()).toMatch(/"failure":"latchkey: cannot start: Redis at [^"]*"[^\n]*trying again in 1000 ms/);
      expect(alive(server!.child.pid!)).toBe(true);
      expect(alive(second!)).toBe(true);
      expect((await fetch(`${server!.url}/`)).status).toBe(200);
      const refused = await form(server!.url, '/sessions', credentials);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBeTruthy();

      redis = await startPrivateRedis(Number(new URL(redis.url).port));
      await until('a replacement listening', () => (listening().length >= 3 ? true : undefined), 60_000);
      // Whichever worker answers, logins work again.
      for (let i = 0; i < 4; i++) expect((await form(server!.url, '/sessions', credentials)).status).toBe(200);
      expect(await server!.stop()).toBe(0);
    },
    90_000,
  );
});

interface Outcome {
  ms: number;
  /** The status answered, or the error code of a connection refused or reset. */
  outcome: string;
}

/** One GET on a connection of its own, given up (and counted as hung) after `limitMs`. */
function timedGet(url: string, limitMs: number): Promise<Outcome> {
  const begun = Date.now();
  return new Promise((resolve) => {
    const settle = (outcome: string) => resolve({ ms: Date.now() - begun, outcome });
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => settle(String(res.statusCode)));
      res.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    });
    req.setTimeout(limitMs, () => req.destroy(Object.assign(new Error('hung'), { code: 'HUNG' })));
    req.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    req.end();
  });
}

describe('WORKERS=2 under load', () => {
  it('answers or refuses every request in bounded time when a worker is killed', async () => {
    const { workerPids } = await startTwoWorkers('load');
    const results: Outcome[] = [];
    let running = true;
    const clients = Array.from({ length: 30 }, async () => {
      while (running) results.push(await timedGet(`${server!.url}/healthz`, 10_000));
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    process.kill(workerPids()[0]!, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    running = false;
    await Promise.all(clients);

    const outcomes: Record<string, number> = {};
    for (const { outcome } of results) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    const maxMs = Math.max(...results.map(({ ms }) => ms));
    console.log(`worker killed under load: ${results.length} requests, outcomes ${JSON.stringify(outcomes)}, slowest ${maxMs} ms`);
    expect(outcomes.HUNG ?? 0).toBe(0);
    expect(Object.keys(outcomes).every((outcome) => ['200', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(outcome))).toBe(true);
    expect(outcomes['200']).toBeGreaterThan(results.length / 2);
    expect(maxMs).toBeLessThan(5000);
  }, 60_000);
});
