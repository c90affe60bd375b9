import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex } from '@latchkey/adapters';
import {
  TEST_REDIS_URL,
  checkPostgresAndRedis,
  createScratchDatabase,
  newRedis,
  uniqueKeyPrefix,
} from '../../packages/adapters/test/real-services';
import type { ScratchDatabase } from '../../packages/adapters/test/real-services';
import { runAcceptance } from '../acceptance';
import { runInProcess } from '../../apps/cli/test/run-cli';
import { startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

const services = await checkPostgresAndRedis();
const FAILURES_PER_ACCOUNT = 4;

function send(base: string, method: string, path: string, fields?: Record<string, string>, sessionId?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (fields) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (sessionId) headers.cookie = `session_id=${sessionId}`;
  const body = fields ? new URLSearchParams(fields).toString() : undefined;
  return fetch(new URL(path, base), { method, headers, body, redirect: 'manual' });
}

function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('session_id='));
  return cookie?.split(';')[0]?.slice('session_id='.length) ?? '';
}

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;

describe.skipIf(!services.available)(`two API instances on one PostgreSQL and one Redis${services.available ? '' : ` (skipped: ${services.reason})`}`, () => {
  let database: ScratchDatabase;
  const keyPrefix = uniqueKeyPrefix('instances');
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    database = await createScratchDatabase();
    // As an operator would: migrate first, then start the instances without migrating.
    expect((await runInProcess(['migrate'], { DATABASE_URL: database.url })).code).toBe(0);
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '4',
      MIGRATE_ON_START: 'false',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      NODE_ENV: 'test',
      BCRYPT_ROUNDS: '4',
      LOGIN_FAILURES_PER_ACCOUNT: String(FAILURES_PER_ACCOUNT),
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
    const redis = newRedis(TEST_REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('share sessions: log in on A, read the profile on B, log out on B and A refuses the cookie', async () => {
    expect(a.url).not.toBe(b.url);
    const email = uniqueEmail('session');
    expect((await send(a.url, 'POST', '/users', { email, password: 'Kq7-shared-session' })).status).toBe(200);
    const login = await send(a.url, 'POST', '/sessions', { email, password: 'Kq7-shared-session' });
    expect(login.status).toBe(200);
    const sessionId = sessionCookie(login);

    const profile = await send(b.url, 'GET', '/profile', undefined, sessionId);
    expect(profile.status).toBe(200);
    expect(await profile.json()).toEqual({ email });

    expect((await send(b.url, 'DELETE', '/sessions', undefined, sessionId)).status).toBe(302);
    expect((await send(a.url, 'GET', '/profile', undefined, sessionId)).status).toBe(403);
  });

  it('keep one user’s devices apart: two jars on A and B, one ended from the other, then a reset ends the rest', async () => {
    const email = uniqueEmail('devices');
    expect((await send(a.url, 'POST', '/users', { email, password: 'Kq7-two-devices' })).status).toBe(200);
    const laptop = sessionCookie(await send(a.url, 'POST', '/sessions', { email, password: 'Kq7-two-devices' }));
    const phone = sessionCookie(await send(b.url, 'POST', '/sessions', { email, password: 'Kq7-two-devices' }));
    for (const [instance, jar] of [[b, laptop], [a, phone]] as const) expect((await send(instance.url, 'GET', '/profile', undefined, jar)).status).toBe(200);

    const listed = (await (await send(a.url, 'GET', '/sessions', undefined, phone)).json()) as { sessions: Array<{ id: string; current: boolean }> };
    expect(listed.sessions.map((s) => s.current).sort()).toEqual([false, true]);
    const laptopId = listed.sessions.find((s) => !s.current)!.id;
    expect((await send(b.url, 'DELETE', `/sessions/${laptopId}`, undefined, phone)).status).toBe(204);
    expect((await send(a.url, 'GET', '/profile', undefined, laptop)).status).toBe(403);
    expect((await send(b.url, 'GET', '/profile', undefined, laptop)).status).toBe(403);
    expect((await send(a.url, 'GET', '/profile', undefined, phone)).status).toBe(200);

    const tablet = sessionCookie(await send(a.url, 'POST', '/sessions', { email, password: 'Kq7-two-devices' }));
    const { reset_token } = (await (await send(b.url, 'POST', '/reset_password', { email })).json()) as { reset_token: string };
    expect((await send(a.url, 'PUT', '/reset_password', { email, reset_token, new_password: 'Kq7-new-password' })).status).toBe(200);
    for (const jar of [phone, tablet]) {
      for (const instance of [a, b]) expect((await send(instance.url, 'GET', '/profile', undefined, jar)).status).toBe(403);
    }
  });

  it('add up failed logins on A and B to one lockout', async () => {
    const email = uniqueEmail('lockout');
    expect((await send(b.url, 'POST', '/users', { email, password: 'Kq7-right-password' })).status).toBe(200);
    for (let i = 0; i < FAILURES_PER_ACCOUNT; i++) {
      const instance = i % 2 ? b : a;
      expect((await send(instance.url, 'POST', '/sessions', { email, password: `wrong-${i}` })).status).toBe(401);
    }
    for (const instance of [a, b]) {
      const refused = await send(instance.url, 'POST', '/sessions', { email, password: 'Kq7-right-password' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('let exactly one of concurrent registrations of one email succeed', async () => {
    const email = uniqueEmail('race');
    const variants = [email, email.toUpperCase(), ` ${email}`, email.replace('race', 'RACE')];
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(i % 2 ? b.url : a.url, 'POST', '/users', { email: variants[i % variants.length]!, password: 'Kq7-race-password' }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, ...Array(11).fill(400)]);
    for (const response of responses.filter((r) => r.status === 400)) {
      expect(await response.json()).toEqual({ message: 'email already registered', code: 'user_already_exists' });
    }
    const knex = createKnex(database.url, { poolMax: 1 });
    try {
      expect(await knex('users').where('email_normalized', email).count({ n: '*' })).toEqual([{ n: '1' }]);
    } finally {
      await knex.destroy();
    }
  });
});

describe.skipIf(!services.available)(`npm start on PostgreSQL${services.available ? '' : ` (skipped: ${services.reason})`}`, () => {
  let database: ScratchDatabase;
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('migrates a fresh database and passes the acceptance scenario on default settings', async () => {
    database = await createScratchDatabase();
    server = await startServerProcess({ DATABASE_URL: database.url, NODE_ENV: 'production' });
    const steps: string[] = [];
    await runAcceptance(server.url, (line) => steps.push(line));
    expect(steps).toHaveLength(9);
  }, 90_000);
});
