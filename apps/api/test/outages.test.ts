/**
 * Dependencies that stop, freeze (SIGSTOP) or fill their disk, on private instances: every
 * request answers within its deadline, 503 with Retry-After, never a hang or a 500, and
 * the service works again once the dependency is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisThrottleStore, createKnex } from '@latchkey/adapters';
import type { Knex } from '@latchkey/adapters';
import { LoginThrottle } from '@latchkey/domain';
import { mountSmallDisk, privateServices, startPrivatePostgres, startPrivateRedis } from '../../../packages/adapters/test/support/private-services';
import type { PrivateService, SmallDisk } from '../../../packages/adapters/test/support/private-services';
import type { TestServer } from './harness';
import { form, sessionCookie, startTestServer } from './harness';

/** Short deadlines keep each test at a few seconds. */
const DEADLINE_MS = 400;
/** What a request may take past its deadline: the deadline of one more call, and slack on a busy machine. */
const ANSWERED_WITHIN_MS = 3 * DEADLINE_MS + 1000;

interface Timed {
  response: Response;
  ms: number;
  body: { message?: string };
}

async function timed(server: TestServer, method: string, path: string, fields?: Record<string, string>, cookie?: string): Promise<Timed> {
  const started = performance.now();
  const init = fields ? form(fields) : {};
  const headers = { ...(init.headers as Record<string, string> | undefined), ...(cookie ? { cookie: `session_id=${cookie}` } : {}) };
  const response = await fetch(server.url + path, { method, redirect: 'manual', ...init, headers, signal: AbortSignal.timeout(20_000) });
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  return { response, ms: performance.now() - started, body };
}

function expectUnavailable({ response, ms }: Timed): void {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
  expect(ms).toBeLessThan(ANSWERED_WITHIN_MS);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('not back in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const redisCheck = privateServices('redis');
describe.skipIf(!redisCheck.available)('Redis frozen or stopped under the login throttle', () => {
  let redis: PrivateService | undefined;
  let store: RedisThrottleStore | undefined;
  let server: TestServer | undefined;
  const figures: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    store = await RedisThrottleStore.connect(redis.url, { timeoutMs: DEADLINE_MS, onConnectionError: () => {} });
    server = await startTestServer({ throttle: new LoginThrottle(store) });
    expect((await timed(server, 'POST', '/users', { email: 'frozen@example.com', password: 'b4l0u' })).response.status).toBe(200);
  });
  afterAll(async () => {
    await redis?.stop();
    await store?.close().catch(() => {});
    await server?.close();
    console.info(`Redis outages: ${figures.join('; ')}`);
  });

  it('answers a login 503 with Retry-After within the deadline while Redis is frozen, and records it as unavailable', async () => {
    redis!.freeze();
    try {
      const login = await timed(server!, 'POST', '/sessions', { email: 'frozen@example.com', password: 'b4l0u' });
      figures.push(`frozen: ${login.response.status} in ${Math.round(login.ms)} ms`);
      expectUnavailable(login);
      // The cookie check and registration do not need Redis.
      expect((await timed(server!, 'GET', '/profile')).response.status).toBe(403);
    } finally {
      redis!.thaw();
    }
    await eventually(async () => (await timed(server!, 'POST', '/sessions', { email: 'frozen@example.com', password: 'b4l0u' })).response.status === 200);
    const trail = (await server!.audit.recent({ email: 'frozen@example.com', limit: 10 })).map((event) => event.type);
    expect(trail).toContain('login_unavailable');
    expect(trail).not.toContain('login_throttled');
  });

  it('answers 503 at once while Redis is stopped', async () => {
    await redis!.stop();
    const login = await timed(server!, 'POST', '/sessions', { email: 'frozen@example.com', password: 'b4l0u' });
    figures.push(`stopped: ${login.response.status} in ${Math.round(login.ms)} ms`);
    expectUnavailable(login);
  });
});

const postgresCheck = privateServices('postgres');
describe.skipIf(!postgresCheck.available)('PostgreSQL frozen or stopped', () => {
  let postgres: PrivateService | undefined;
  let server: TestServer | undefined;
  let cookie: string | undefined;
  const figures: string[] = [];

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    server = await startTestServer({}, { databaseUrl: postgres.url, databaseTimeoutMs: DEADLINE_MS });
    expect((await timed(server, 'POST', '/users', { email: 'pg@example.com', password: 'b4l0u' })).response.status).toBe(200);
    cookie = sessionCookie((await timed(server, 'POST', '/sessions', { email: 'pg@example.com', password: 'b4l0u' })).response);
  });
  afterAll(async () => {
    await postgres?.stop();
    await server?.close();
    console.info(`PostgreSQL outages: ${figures.join('; ')}`);
  });

  it('answers /profile, registration and login 503 within the deadline while frozen, and serves again once thawed', async () => {
    postgres!.freeze();
    try {
      // Several at once: every pooled connection gets stuck on the frozen server.
      const [profile, register, login, ...more] = await Promise.all([
        timed(server!, 'GET', '/profile', undefined, cookie),
        timed(server!, 'POST', '/users', { email: 'new@example.com', password: 'b4l0u' }),
        timed(server!, 'POST', '/sessions', { email: 'pg@example.com', password: 'b4l0u' }),
        ...Array.from({ length: 12 }, () => timed(server!, 'GET', '/profile', undefined, cookie)),
      ]);
      figures.push(`frozen: /profile ${profile!.response.status} in ${Math.round(profile!.ms)} ms, POST /users ${register!.response.status} in ${Math.round(register!.ms)} ms`);
      for (const answer of [profile!, register!, login!, ...more]) expectUnavailable(answer);
      const ready = await timed(server!, 'GET', '/readyz');
      expect(ready.response.status).toBe(503);
    } finally {
      postgres!.thaw();
    }
    const thawed = performance.now();
    await eventually(async () => (await timed(server!, 'GET', '/profile', undefined, cookie)).response.status === 200);
    figures.push(`serving again ${Math.round(performance.now() - thawed)} ms after the thaw`);
    expect((await timed(server!, 'POST', '/users', { email: 'later@example.com', password: 'b4l0u' })).response.status).toBe(200);
  });

  it('answers 503 within the deadline once stopped', async () => {
    await postgres!.stop();
    const profile = await timed(server!, 'GET', '/profile', undefined, cookie);
    const register = await timed(server!, 'POST', '/users', { email: 'gone@example.com', password: 'b4l0u' });
    figures.push(`stopped: /profile ${profile.response.status} in ${Math.round(profile.ms)} ms`);
    expectUnavailable(profile);
    expectUnavailable(register);
    expect((await timed(server!, 'GET', '/readyz')).body).toEqual({ message: 'database unreachable' });
  });
});

const diskCheck = privateServices('tmpfs');
describe.skipIf(!diskCheck.available).each(['better-sqlite3', 'sqlite3'])('SQLite (%s) on a full disk', (driver) => {
  let disk: SmallDisk | undefined;
  let server: TestServer | undefined;

  beforeAll(async () => {
    disk = mountSmallDisk(4096);
    server = await startTestServer({}, { databaseUrl: `sqlite:${join(disk.dir, 'latchkey.db')}?driver=${driver}`, databaseTimeoutMs: DEADLINE_MS });
  });
  afterAll(async () => {
    await server?.close();
    await disk?.unmount();
  });

  it('answers writes 503 with Retry-After and /readyz "database cannot write", then serves again once space is freed', async () => {
    expect((await timed(server!, 'POST', '/users', { email: 'disk@example.com', password: 'b4l0u' })).response.status).toBe(200);
    expect((await timed(server!, 'GET', '/readyz')).response.status).toBe(200);
    disk!.fill();
    try {
      // Registrations of long emails until one needs a page the disk has no room for.
      const answers: Timed[] = [];
      for (let i = 0; i < 40 && !answers.some((a) => a.response.status !== 200); i++) {
        answers.push(await timed(server!, 'POST', '/users', { email: `${'x'.repeat(200)}${i}@example.com`, password: 'b4l0u' }));
      }
      const refused = answers.at(-1)!;
      expectUnavailable(refused);
      expect((await timed(server!, 'GET', '/readyz')).body).toEqual({ message: 'database cannot write' });
      expect(server!.logs().filter((line) => line.level === 50 && line.msg !== 'request')).toEqual([]);
    } finally {
      disk!.free();
    }
    expect((await timed(server!, 'GET', '/readyz')).response.status).toBe(200);
    expect((await timed(server!, 'POST', '/users', { email: 'after@example.com', password: 'b4l0u' })).response.status).toBe(200);
  });
});

describe.each(['better-sqlite3', 'sqlite3'])('SQLite (%s) locked by another process past the busy timeout', (driver) => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-locked-'));
  let server: TestServer | undefined;
  let other: Knex | undefined;
  afterAll(async () => {
    await other?.destroy();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a write 503 with Retry-After once the lock has been waited for DATABASE_TIMEOUT_MS', async () => {
    const file = join(dir, 'latchkey.db');
    server = await startTestServer({}, { databaseUrl: `sqlite:${file}?driver=${driver}`, databaseTimeoutMs: DEADLINE_MS });
    // Another connection (the CLI, say) in the middle of a write transaction; the same driver,
    // for two SQLite libraries in one process do not see each other's locks.
    other = createKnex(`sqlite:${file}?driver=${driver}`);
    const transaction = await other.transaction();
    await transaction('auth_events').insert({ type: 'logout', occurred_at: Date.now() });
    const register = await timed(server, 'POST', '/users', { email: 'locked@example.com', password: 'b4l0u' });
    await transaction.rollback();
    expectUnavailable(register);
    expect(register.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect((await timed(server, 'POST', '/users', { email: 'locked@example.com', password: 'b4l0u' })).response.status).toBe(200);
  });
});
