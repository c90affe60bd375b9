import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory from 'knex';
import type { Knex } from 'knex';

export interface ConnectionOptions {
  poolMax?: number;
  /** Where Knex's own warnings go (a failed connection attempt, ...); console.log otherwise. */
  log?: Knex.Logger;
}

/** The SQLite drivers Knex can use: better-sqlite3 (default, synchronous) or sqlite3. */
export type SqliteDriver = 'better-sqlite3' | 'sqlite3';
export const SQLITE_DRIVERS: readonly SqliteDriver[] = ['better-sqlite3', 'sqlite3'];

/** `sqlite:<path>[?driver=…]`, `sqlite::memory:` or `postgres://…` to a Knex configuration. */
export function knexConfigFromUrl(databaseUrl: string, options: ConnectionOptions = {}): Knex.Config {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return {
      client: 'pg',
      connection: databaseUrl,
      pool: { min: 0, max: options.poolMax ?? 10 },
    };
  }
  if (databaseUrl.startsWith('sqlite:')) return sqliteConfig(sqliteFilename(databaseUrl), sqliteDriver(databaseUrl));
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

function withoutQuery(path: string): string {
  const at = path.indexOf('?');
  return at === -1 ? path : path.slice(0, at);
}

// WAL lets readers in other processes work during a write; the busy timeout waits for a
// lock instead of failing at once. A cookie check walks three B-trees (the digest's index,
// sessions, users): a page cache of up to 64 MiB (SQLite's default is 2 MiB) keeps the
// pages of the sessions in use in memory as the tables grow.
const PRAGMAS = ['journal_mode = WAL', 'busy_timeout = 5000', 'synchronous = NORMAL', 'cache_size = -65536'];

function sqliteConfig(filename: string, driver: SqliteDriver): Knex.Config {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  return {
    client: driver,
    connection: { filename },
    useNullAsDefault: true,
    pool: { min: 1, max: 1, afterCreate: driver === 'sqlite3' ? afterCreateSqlite3 : afterCreateBetterSqlite3 },
  };
}

interface Sqlite3Connection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

function afterCreateSqlite3(conn: Sqlite3Connection, done: (error: Error | null, conn: Sqlite3Connection) => void): void {
  conn.exec(PRAGMAS.map((pragma) => `PRAGMA ${pragma};`).join(' '), (error) => done(error, conn));
}

interface BetterSqlite3Connection {
  pragma(source: string): unknown;
}

function afterCreateBetterSqlite3(
  conn: BetterSqlite3Connection,
  done: (error: Error | null, conn: BetterSqlite3Connection) => void,
): void {
  try {
    for (const pragma of PRAGMAS) conn.pragma(pragma);
    done(null, conn);
  } catch (error) {
    done(error as Error, conn);
  }
}

export function createKnex(databaseUrl: string, options: ConnectionOptions = {}): Knex {
  const config = knexConfigFromUrl(databaseUrl, options);
  return knexFactory(options.log ? { ...config, log: options.log } : config);
}
