import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory from 'knex';
import type { Knex } from 'knex';

export interface ConnectionOptions {
  poolMax?: number;
  /** Where Knex's own warnings go (a failed connection attempt, ...); console.log otherwise. */
  log?: Knex.Logger;
}

/** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` to a Knex configuration. */
export function knexConfigFromUrl(databaseUrl: string, options: ConnectionOptions = {}): Knex.Config {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return {
      client: 'pg',
      connection: databaseUrl,
      pool: { min: 0, max: options.poolMax ?? 10 },
    };
  }
  if (databaseUrl.startsWith('sqlite:')) return sqliteConfig(sqliteFilename(databaseUrl));
  throw new Error(`Unsupported DATABASE_URL "${databaseUrl}": use sqlite:<path>, sqlite::memory: or postgres://…`);
}

export function sqliteFilename(databaseUrl: string): string {
  const rest = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return resolve(rest);
}

function sqliteConfig(filename: string): Knex.Config {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  return {
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // WAL lets readers in other processes work during a write; the busy timeout
      // waits for a lock instead of failing at once.
      afterCreate: (conn: SqliteConnection, done: (error: Error | null, conn: SqliteConnection) => void) => {
        conn.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;', (error) =>
          done(error, conn),
        );
      },
    },
  };
}

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

export function createKnex(databaseUrl: string, options: ConnectionOptions = {}): Knex {
  const config = knexConfigFromUrl(databaseUrl, options);
  return knexFactory(options.log ? { ...config, log: options.log } : config);
}
