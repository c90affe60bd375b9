import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import knexFactory from 'knex';
import type { Database as BetterSqlite3Database } from 'better-sqlite3';
import type { Knex } from 'knex';
import { requireDriver } from '../missing-driver';
import { connectionLost, translateDatabaseError } from './database-errors';
import { closeSqliteReader, openSqliteReader } from './sqlite-reader';

export interface ConnectionOptions {
  poolMax?: number;
  /** Where Knex's own warnings go (a failed connection attempt, ...); console.log otherwise. */
  log?: Knex.Logger;
  /**
   * The deadline of every query, connection attempt and wait for a pooled connection (and
   * SQLite's busy timeout). None when absent: migrations and admin tools may take longer.
   */
  timeoutMs?: number;
}

/** SQLite's busy timeout when no deadline is given. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** The SQLite drivers Knex can use: better-sqlite3 (default, synchronous) or sqlite3. */
export type SqliteDriver = 'better-sqlite3' | 'sqlite3';
export const SQLITE_DRIVERS: readonly SqliteDriver[] = ['better-sqlite3', 'sqlite3'];

/** A `postgres://` or `postgresql://` DATABASE_URL. */
export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//.test(databaseUrl);
}

/** `sqlite:<path>[?driver=…]`, `sqlite::memory:` or `postgres://…` to a Knex configuration. */
export function knexConfigFromUrl(databaseUrl: string, options: ConnectionOptions = {}): Knex.Config {
  if (isPostgresUrl(databaseUrl)) {
    return {
      client: 'pg',
      connection: postgresConnection(databaseUrl, options.timeoutMs),
      pool: { min: 0, max: options.poolMax ?? 10 },
      ...acquireTimeout(options.timeoutMs),
    };
  }
  if (databaseUrl.startsWith('sqlite:')) {
    return { ...sqliteConfig(sqliteFilename(databaseUrl), sqliteDriver(databaseUrl), options.timeoutMs), ...acquireTimeout(options.timeoutMs) };
  }
  throw new Error(`Unsupported DATABASE_URL "${databaseUrl}": use sqlite:<path>, sqlite::memory: or postgres://…`);
}

export function sqliteFilename(databaseUrl: string): string {
  const rest = withoutQuery(databaseUrl.slice('sqlite:'.length)).replace(/^\/\/(?=\/)/, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return resolve(rest);
}

/** The driver a `sqlite:` URL asks for with `?driver=`; better-sqlite3 when it names none. */
export function sqliteDriver(databaseUrl: string): SqliteDriver {
  const query = databaseUrl.includes('?') ? databaseUrl.slice(databaseUrl.indexOf('?') + 1) : '';
  const driver = new URLSearchParams(query).get('driver') ?? 'better-sqlite3';
  if (!(SQLITE_DRIVERS as readonly string[]).includes(driver)) {
    throw new Error(`Unsupported SQLite driver "${driver}": use ${SQLITE_DRIVERS.join(' or ')}`);
  }
  return driver as SqliteDriver;
}

/**
 * PostgreSQL's deadlines: the server cancels a statement past statement_timeout (the
 * connection stays usable); the client gives up on a server that does not answer at all
 * (frozen, or a network gone silent) a little later, and on a connection attempt.
 */
function postgresConnection(databaseUrl: string, timeoutMs?: number): Knex.StaticConnectionConfig | string {
  if (timeoutMs === undefined) return databaseUrl;
  return postgresConnectionSettings(databaseUrl, timeoutMs) as Knex.StaticConnectionConfig;
}

/** The settings of a pg connection with those deadlines, for Knex's pool and any other. */
export function postgresConnectionSettings(databaseUrl: string, timeoutMs: number) {
  return {
    connectionString: databaseUrl,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + CLIENT_DEADLINE_MARGIN_MS,
    connectionTimeoutMillis: timeoutMs,
    keepAlive: true,
  };
}

/** Lets the server's statement_timeout, which leaves the connection usable, fire first. */
const CLIENT_DEADLINE_MARGIN_MS = 250;

function acquireTimeout(timeoutMs?: number): Pick<Knex.Config, 'acquireConnectionTimeout'> {
  return timeoutMs === undefined ? {} : { acquireConnectionTimeout: timeoutMs };
}

function withoutQuery(path: string): string {
  const at = path.indexOf('?');
  return at === -1 ? path : path.slice(0, at);
}

// WAL lets readers in other processes work during a write; the busy timeout waits for a
// lock instead of failing at once (SQLITE_BUSY, answered 503, once it has passed). A cookie
// check walks three B-trees (the digest's index, sessions, users): a page cache of up to
// 64 MiB (SQLite's default is 2 MiB) keeps the pages of the sessions in use in memory as
// the tables grow.
function pragmas(busyTimeoutMs: number): string[] {
  return ['journal_mode = WAL', `busy_timeout = ${busyTimeoutMs}`, 'synchronous = NORMAL', 'cache_size = -65536'];
}

function sqliteConfig(filename: string, driver: SqliteDriver, timeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Knex.Config {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const settings = pragmas(timeoutMs);
  return {
    client: driver,
    connection: { filename },
    useNullAsDefault: true,
    pool: { min: 1, max: 1, afterCreate: driver === 'sqlite3' ? afterCreateSqlite3(settings) : afterCreateBetterSqlite3(settings) },
  };
}

interface Sqlite3Connection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

function afterCreateSqlite3(settings: string[]) {
  return (conn: Sqlite3Connection, done: (error: Error | null, conn: Sqlite3Connection) => void): void => {
    conn.exec(settings.map((pragma) => `PRAGMA ${pragma};`).join(' '), (error) => done(error, conn));
  };
}

function afterCreateBetterSqlite3(settings: string[]) {
  return (conn: BetterSqlite3Database, done: (error: Error | null, conn: BetterSqlite3Database) => void): void => {
    try {
      for (const pragma of settings) conn.pragma(pragma);
      openSqliteReader(conn, settings);
      done(null, conn);
    } catch (error) {
      done(error as Error, conn);
    }
  };
}

export function createKnex(databaseUrl: string, options: ConnectionOptions = {}): Knex {
  const config = knexConfigFromUrl(databaseUrl, options);
  // Knex would only fail at the first query, with a message about its own internals.
  requireDriver(String(config.client), `a ${databaseUrl.split(':')[0]}: database URL`);
  // Knex writes a failed statement's bound values into the error's message unless told not to.
  const guarded: Knex.Config = { ...config, client: guardedClient(String(config.client)), compileSqlOnError: false };
  return knexFactory(options.log ? { ...guarded, log: options.log } : guarded);
}

type ClientClass = typeof Knex.Client;
interface Dialects {
  getDialectByNameOrAlias(name: string): ClientClass;
}
const dialects = createRequire(import.meta.url)('knex/lib/dialects/index.js') as Dialects;
const guardedClients = new Map<string, ClientClass>();

interface PooledConnection {
  __knex__disposed?: unknown;
}

/**
 * Knex's client for the dialect, through which every query passes (those of transactions
 * too, whose client derives from this class): a driver's error leaves it translated once
 * (an outage into DependencyUnavailableError, anything else without its bound values),
 * and a connection that timed out or broke is not handed out again.
 */
function guardedClient(name: string): ClientClass {
  let guarded = guardedClients.get(name);
  if (guarded) return guarded;
  const Dialect = dialects.getDialectByNameOrAlias(name);
  guarded = class GuardedClient extends Dialect {
    constructor(config: Knex.Config) {
      // The dialect's name stays readable where code asks which database this is.
      super({ ...config, client: name });
    }

    override async query(connection: PooledConnection, queryParam: string | { sql?: string }): Promise<unknown> {
      try {
        return await super.query(connection, queryParam);
      } catch (error) {
        const sql = typeof queryParam === 'string' ? String(this.positionBindings(queryParam)) : queryParam.sql;
        const translated = translateDatabaseError(error, sql);
        // Knex logs why it closes a connection: the reason must not hold the statement either.
        if (connectionLost(error)) connection.__knex__disposed = (translated.cause as Error | undefined)?.message ?? translated.message;
        throw translated;
      }
    }

    // The read-only companion of a better-sqlite3 connection goes with it.
    override async destroyRawConnection(connection: unknown): Promise<void> {
      closeSqliteReader(connection);
      return super.destroyRawConnection(connection);
    }

    override async acquireConnection(): Promise<unknown> {
      try {
        return await super.acquireConnection();
      } catch (error) {
        throw translateDatabaseError(error);
      }
    }
  };
  guardedClients.set(name, guarded);
  return guarded;
}
