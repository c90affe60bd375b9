import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BcryptPasswordHasher, createKnex } from '@latchkey/adapters';
import { InvalidCredentialsError, TooManyAttemptsError, TooManyResetRequestsError } from '@latchkey/domain';
import { TEST_POSTGRES_URL, TEST_REDIS_URL, checkPostgres, checkRedis, createScratchDatabase, newRedis, uniqueKeyPrefix } from '../../adapters/test/real-services';
import type { ScratchDatabase } from '../../adapters/test/real-services';
import { createServices, loadConfig } from '../src';
import type { ServiceOptions, Services } from '../src';

describe('createServices and MIGRATE_ON_START', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-services-'));
  let services: Services | undefined;
  let n = 0;
  const open = async (env: Record<string, string>, options?: ServiceOptions) => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, `${++n}.db`)}`, ...env });
    services = await createServices(config, options);
    return services.knex;
  };

  afterEach(async () => {
    await services?.close();
    services = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates at start by default', async () => {
    const knex = await open({});
    expect(await knex.schema.hasTable('users')).toBe(true);
  });

  it('leaves the schema alone with MIGRATE_ON_START=false', async () => {
    const knex = await open({ MIGRATE_ON_START: 'false' });
    expect(await knex.schema.hasTable('users')).toBe(false);
    expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
  });

  it('ends the least recently used session on the third login with SESSIONS_PER_USER_MAX=2', async () => {
    await open({ SESSIONS_PER_USER_MAX: '2', BCRYPT_ROUNDS: '4' });
    const { auth } = services!;
    await auth.registerUser('bob@example.com', 'pw');
    const cookies = [];
    for (let i = 0; i < 3; i++) cookies.push((await auth.logins.login('bob@example.com', 'pw')).sessionId);
    expect(await auth.getUserFromSessionId(cookies[0])).toBeNull();
    expect(await auth.getUserFromSessionId(cookies[1])).not.toBeNull();
    expect(await auth.getUserFromSessionId(cookies[2])).not.toBeNull();
  });

  it('lets an explicit option win over the setting', async () => {
    const knex = await open({ MIGRATE_ON_START: 'false' }, { migrate: true });
    expect(await knex.schema.hasTable('users')).toBe(true);
  });
});

describe('createServices and its overrides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-services-overrides-'));
  let services: Services | undefined;
  let n = 0;
  const open = async (env: Record<string, string>, options?: ServiceOptions) => {
    const config = loadConfig({ NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, `${++n}.db`)}`, ...env });
    services = await createServices(config, options);
    return services.auth;
  };
  const failLogins = async (times: number) => {
    for (let i = 0; i < times; i++) await expect(services!.auth.logins.login('bob@example.com', 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
  };

  afterEach(async () => {
    await services?.close();
    services = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('throttles logins from the settings without Redis (LOGIN_FAILURES_PER_ACCOUNT)', async () => {
    const auth = await open({ LOGIN_FAILURES_PER_ACCOUNT: '2' });
    await auth.registerUser('bob@example.com', 'Kq7-memory-secret');
    await failLogins(2);
    await expect(auth.logins.login('bob@example.com', 'Kq7-memory-secret')).rejects.toBeInstanceOf(TooManyAttemptsError);
  });

  it('takes the parts it is given instead of those of the settings: a clock, a hasher', async () => {
    const hasher = new BcryptPasswordHasher(5);
    let time = Date.UTC(2026, 0, 1);
    const auth = await open({}, { overrides: { hasher, clock: { now: () => time } } });
    expect(services!.hasher).toBe(hasher);
    await auth.registerUser('bob@example.com', 'Kq7-memory-secret');
    const [row] = await services!.knex('users').select('hashed_password');
    expect(row).toMatchObject({ hashed_password: expect.stringMatching(/^\$2b\$05\$/) });
    // Past SESSION_IDLE_SECONDS (a day) on the clock given, though not on the wall's.
    const { sessionId } = await auth.logins.login('bob@example.com', 'Kq7-memory-secret');
    time += 25 * 3600_000;
    expect(await auth.getUserFromSessionId(sessionId)).toBeNull();
  });

  it('leaves out a part given as undefined: no login throttle', async () => {
    const auth = await open({ LOGIN_FAILURES_PER_ACCOUNT: '2' }, { overrides: { throttle: undefined } });
    await auth.registerUser('bob@example.com', 'Kq7-memory-secret');
    await failLogins(3);
    expect((await auth.logins.login('bob@example.com', 'Kq7-memory-secret')).user.email).toBe('bob@example.com');
  });
});

const redis = await checkRedis();

describe.skipIf(!redis.available)(`createServices and REDIS_URL${redis.available ? '' : ` (skipped: ${redis.reason})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-services-redis-'));
  const opened: Services[] = [];
  const keyPrefix = uniqueKeyPrefix('services');
  const client = newRedis(TEST_REDIS_URL);
  const instance = async (env: Record<string, string> = {}) => {
    const services = await createServices(
      loadConfig({
        NODE_ENV: 'test',
        BCRYPT_ROUNDS: '4',
        DATABASE_URL: `sqlite:${join(dir, 'shared.db')}`,
        LOGIN_FAILURES_PER_ACCOUNT: '3',
        REDIS_KEY_PREFIX: keyPrefix,
        ...env,
      }),
    );
    opened.push(services);
    return services.auth;
  };

  afterAll(async () => {
    await Promise.all(opened.map((services) => services.close()));
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length) await client.del(...keys);
    client.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares the failed-login counters between instances through Redis, under the key prefix', async () => {
    const [a, b] = [await instance({ REDIS_URL: TEST_REDIS_URL }), await instance({ REDIS_URL: TEST_REDIS_URL })];
    await a.registerUser('shared@example.com', 'Kq7-redis-secret');
    for (const auth of [a, b, a]) await expect(auth.logins.login('shared@example.com', 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(b.logins.login('shared@example.com', 'Kq7-redis-secret')).rejects.toBeInstanceOf(TooManyAttemptsError);
    expect(await client.get(`${keyPrefix}throttle:login:account:shared@example.com`)).toBe('3');
  });

  it('shares the reset request counters between instances through Redis (RESET_REQUESTS_PER_EMAIL)', async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, RESET_REQUESTS_PER_EMAIL: '2' };
    const [a, b] = [await instance(env), await instance(env)];
    await a.registerUser('resets@example.com', 'Kq7-redis-secret');
    await a.passwords.request('resets@example.com', { ip: '198.51.100.1' });
    await b.passwords.request('resets@example.com', { ip: '198.51.100.2' });
    await expect(a.passwords.request('resets@example.com', { ip: '198.51.100.3' })).rejects.toBeInstanceOf(TooManyResetRequestsError);
    expect(await client.get(`${keyPrefix}throttle:reset:ip:198.51.100.1`)).toBe('1');
  });

  it('keeps them per process without REDIS_URL', async () => {
    const [a, b] = [await instance(), await instance()];
    await a.registerUser('apart@example.com', 'Kq7-memory-secret');
    for (const auth of [a, b, a]) await expect(auth.logins.login('apart@example.com', 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect((await b.logins.login('apart@example.com', 'Kq7-memory-secret')).user.email).toBe('apart@example.com');
  });

  it('refuses to start when Redis does not answer', async () => {
    await expect(instance({ REDIS_URL: 'redis://127.0.0.1:1' })).rejects.toThrow(/Redis at 127\.0\.0\.1:1 does not answer/);
  });
});

const postgres = await checkPostgres();

describe.skipIf(!postgres.available)(`createServices on PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  const connections = async () => {
    const admin = createKnex(TEST_POSTGRES_URL, { poolMax: 1 });
    try {
      const name = new URL(database.url).pathname.slice(1);
      const { rows } = (await admin.raw('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ?', [name])) as { rows: Array<{ n: number }> };
      return rows[0]!.n;
    } finally {
      await admin.destroy();
    }
  };

  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('opens no more than DATABASE_POOL_MAX connections with the reads on a pool of their own, and closes them all', async () => {
    const services = await createServices(loadConfig({ NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: database.url, DATABASE_POOL_MAX: '4' }));
    try {
      const { auth } = services;
      await auth.registerUser('pool@example.com', 'pw');
      const { sessionId } = await auth.logins.login('pool@example.com', 'pw');
      // Reads and transactions at once, more of each than either pool holds.
      const reads = Array.from({ length: 20 }, () => auth.getUserFromSessionId(sessionId));
      const writes = Array.from({ length: 6 }, (_, i) => auth.registerUser(`pool${i}@example.com`, 'pw'));
      const [found] = await Promise.all([Promise.all(reads), Promise.all(writes)]);
      expect(found.every((user) => user?.email === 'pool@example.com')).toBe(true);
      expect(await connections()).toBeLessThanOrEqual(4);
    } finally {
      await services.close();
    }
    expect(await connections()).toBe(0);
  });

  it('refuses a read pool of every connection', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1/db', DATABASE_POOL_MAX: '4', DATABASE_READ_POOL_MAX: '4' })).toThrow(/DATABASE_READ_POOL_MAX/);
  });
});
