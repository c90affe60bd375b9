import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAcceptance } from '../acceptance';
import { startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('WORKERS=2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-workers-'));
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs two API processes on one port, replaces one that dies, and stops them all', async () => {
    // A fresh database: the primary migrates once, so the workers do not race for the lock.
    server = await startServerProcess({ WORKERS: '2', NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, 'users.db')}` });
    const output = server.output;
    const workerPids = () => [...output().matchAll(/worker (\d+) started/g)].map((m) => Number(m[1]));
    const listening = () => [...output().matchAll(/listening on (http:\/\/[^\s"]+)/g)].map((m) => m[1]);
    await waitFor('two workers listening', () => (listening().length >= 2 ? true : undefined));
    expect(new Set(listening())).toEqual(new Set([server.url]));
    const [first, second] = workerPids();
    expect(first).not.toBe(second);
    expect(first !== undefined && alive(first) && second !== undefined && alive(second)).toBe(true);

    await runAcceptance(server.url);

    process.kill(first!, 'SIGKILL');
    await waitFor('a third worker', () => (listening().length >= 3 ? true : undefined));
    expect(output()).toContain(`worker ${first} exited with signal SIGKILL; starting another`);
    const replacement = workerPids()[2]!;
    expect(alive(replacement)).toBe(true);
    expect((await fetch(`${server.url}/`)).status).toBe(200);

    expect(await server.stop()).toBe(0);
    for (const pid of [second!, replacement]) await waitFor(`worker ${pid} to end`, () => (alive(pid) ? undefined : true), 5000);
  }, 90_000);

  it('stops with an error, instead of forking again and again, when workers cannot start', async () => {
    const env = { WORKERS: '2', NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, 'other.db')}`, REDIS_URL: 'redis://127.0.0.1:1' };
    const failure = await startServerProcess(env).then(
      async (started) => `started at ${started.url} (exit ${await started.stop()})`,
      (error: unknown) => String(error),
    );
    expect(failure).toMatch(/server exited with 1/);
    expect(failure).toMatch(/Redis at 127\.0\.0\.1:1 does not answer/);
    expect(failure).toMatch(/exited with code 1 before listening; stopping/);
    expect(failure.match(/worker \d+ started/g)).toHaveLength(2);
  }, 90_000);
});
