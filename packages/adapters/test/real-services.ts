/**
 * The real PostgreSQL and Redis that some tests use, and what a test does when they are
 * not there: with LATCHKEY_REQUIRE_SERVICES=1 (CI) it fails; otherwise it is skipped with
 * the reason printed.
 */
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { Redis } from 'ioredis';
import { createKnex, knexConfigFromUrl, migrateToLatest } from '../src';
import type { Knex } from '../src';

export const TEST_POSTGRES_URL = process.env.LATCHKEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REQUIRED = process.env.LATCHKEY_REQUIRE_SERVICES === '1';
const PROBE_TIMEOUT_MS = 3000;

export interface ServiceCheck {
  name: string;
  available: boolean;
  /** Why the service cannot be used (empty when it can). */
  reason: string;
}

export function checkPostgres(): Promise<ServiceCheck> {
  return check('PostgreSQL', TEST_POSTGRES_URL, async () => {
    const knex = knexFactory({
      ...knexConfigFromUrl(TEST_POSTGRES_URL, { poolMax: 1 }),
      acquireConnectionTimeout: PROBE_TIMEOUT_MS,
      log: { warn: () => {} },
    });
    try {
      await knex.raw('select 1');
    } finally {
      await knex.destroy();
    }
  });
}

export function checkRedis(): Promise<ServiceCheck> {
  return check('Redis', TEST_REDIS_URL, async () => {
    const redis = newRedis(TEST_REDIS_URL);
    let lastError: Error | undefined;
    redis.on('error', (error: Error) => (lastError = error));
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw lastError ?? error;
    } finally {
      redis.disconnect();
    }
  });
}

/** Both at once, for tests that need PostgreSQL and Redis. */
export async function checkPostgresAndRedis(): Promise<ServiceCheck> {
  const checks = await Promise.all([checkPostgres(), checkRedis()]);
  const missing = checks.filter((c) => !c.available);
  return { name: 'PostgreSQL and Redis', available: missing.length === 0, reason: missing.map((c) => c.reason).join('; ') };
}

async function check(name: string, url: string, probe: () => Promise<void>): Promise<ServiceCheck> {
  try {
    await probe();
    return { name, available: true, reason: '' };
  } catch (error) {
    const reason = `${name} unreachable at ${url} (${error instanceof Error ? error.message : String(error)})`;
    if (REQUIRED) throw new Error(`${reason}; LATCHKEY_REQUIRE_SERVICES=1 requires it`, { cause: error });
    console.warn(skipNotice(name, reason));
    return { name, available: false, reason };
  }
}

export function skipNotice(name: string, reason: string): string {
  return `SKIPPED: the tests that need ${name}, because ${reason}. Set LATCHKEY_REQUIRE_SERVICES=1 to fail instead.`;
}

/** An ioredis client that fails at once instead of retrying forever when Redis is down. */
export function newRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
}

export interface ScratchDatabase {
  /** DATABASE_URL of the new, empty database. */
  url: string;
  /**
   * A connection to a new schema of this database, migrated to the latest version: one
   * fresh database per run, one fresh schema in it per test, which is cheaper.
   */
  migratedSchema(label: string): Promise<Knex>;
  /** A new, empty schema of this database; its name. */
  createSchema(label: string): Promise<string>;
  /** A connection whose tables are those of `schema`, as a second instance would open it. */
  connectToSchema(schema: string): Knex;
  drop(): Promise<void>;
}

/** A new PostgreSQL database with a random name, so concurrent runs never meet. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `latchkey_test_${randomBytes(6).toString('hex')}`;
  const admin: Knex = createKnex(TEST_POSTGRES_URL, { poolMax: 1 });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  let schemas = 0;
  const createSchema = async (label: string) => {
    const schema = `${label}_${++schemas}`;
    const creator = createKnex(url.toString(), { poolMax: 1 });
    try {
      await creator.raw(`CREATE SCHEMA ${schema}`);
    } finally {
      await creator.destroy();
    }
    return schema;
  };
  const connectToSchema = (schema: string) => knexFactory({ ...knexConfigFromUrl(url.toString()), searchPath: [schema] });
  return {
    url: url.toString(),
    createSchema,
    connectToSchema,
    migratedSchema: async (label) => {
      const knex = connectToSchema(await createSchema(label));
      await migrateToLatest(knex);
      return knex;
    },
    drop: async () => {
      try {
        await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.destroy();
      }
    },
  };
}

/** A short random prefix for Redis keys of one test run. */
export function uniqueKeyPrefix(label: string): string {
  return `latchkey-test:${label}:${randomBytes(6).toString('hex')}:`;
}
