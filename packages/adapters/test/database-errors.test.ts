import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '@latchkey/domain';
import { DatabaseError, createKnex, migrateToLatest } from '../src';
import type { Knex } from '../src';
import { translateDatabaseError } from '../src/knex/database-errors';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';

/** Everything a logger could print of an error: its fields, message, stack and cause, deeply. */
function printed(error: unknown): string {
  return `${inspect(error, { depth: 10, showHidden: true })}\n${JSON.stringify(error)}\n${(error as Error).stack}`;
}

function failingStatements(knex: Knex, secret: string): Array<[string, () => Promise<unknown>]> {
  const row = { email: secret, email_normalized: secret, hashed_password: null, created_at: Date.now() };
  return [
    ['a refused insert', () => knex('users').insert(row)],
    ['a refused insert in a transaction', () => knex.transaction((trx) => trx('users').insert(row))],
    ['an update naming no column', () => knex('users').where('email', secret).update({ no_such_column: secret })],
    ['a raw statement', () => knex.raw('select no_such_column from users where email = ?', [secret])],
  ];
}

const postgres = await checkPostgres();
const databases: Array<[string, () => Promise<{ url: string; drop?: () => Promise<void> }>]> = [
  ['SQLite (better-sqlite3)', async () => ({ url: 'sqlite::memory:' })],
  ['SQLite (sqlite3)', async () => ({ url: 'sqlite::memory:?driver=sqlite3' })],
];
if (postgres.available) databases.push(['PostgreSQL', () => createScratchDatabase() as Promise<ScratchDatabase>]);

describe.each(databases)('a failed statement on %s', (_name, open) => {
  let knex: Knex | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await knex?.destroy();
    await drop?.();
  });

  it('carries no bound value, in its message, fields, stack or cause, and stays a 500 (not an outage)', async () => {
    const database = await open();
    drop = database.drop;
    knex = createKnex(database.url, { timeoutMs: 2000 });
    await migrateToLatest(knex);
    for (const [what, run] of failingStatements(knex, `secret-${randomBytes(8).toString('hex')}@example.com`)) {
      const secret = /secret-[0-9a-f]+@example\.com/;
      const error = await run().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error, what).toBeInstanceOf(DatabaseError);
      expect(printed(error), what).not.toMatch(secret);
      expect(error, what).not.toHaveProperty('bindings');
    }
  });
});

describe('translateDatabaseError', () => {
  it.each([
    ['SQLite disk full', { code: 'SQLITE_FULL', message: 'database or disk is full' }],
    ['SQLite locked past the busy timeout', { code: 'SQLITE_BUSY', message: 'database is locked' }],
    ['SQLite I/O error', { code: 'SQLITE_IOERR_WRITE', message: 'disk I/O error' }],
    ['PostgreSQL shutting down', { code: '57P01', message: 'terminating connection due to administrator command' }],
    ['PostgreSQL disk full', { code: '53100', message: 'could not extend file' }],
    ['PostgreSQL statement_timeout', { code: '57014', message: 'canceling statement due to statement timeout' }],
    ['PostgreSQL not answering', { message: 'Query read timeout' }],
    ['a refused connection', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }],
    ['no pooled connection in time', Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' })],
  ])('makes an outage of %s', (_what, error) => {
    const translated = translateDatabaseError(Object.assign(new Error(), error));
    expect(translated).toBeInstanceOf(DependencyUnavailableError);
    expect((translated as DependencyUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it.each([
    ['a unique violation', { code: '23505', constraint: 'users_email_normalized_unique', message: 'duplicate key' }],
    ['a syntax error', { code: '42601', message: 'syntax error at or near "x"' }],
    ['an SQLite constraint', { code: 'SQLITE_CONSTRAINT_NOTNULL', message: 'NOT NULL constraint failed: users.hashed_password' }],
  ])('keeps %s a plain database error (a bug: 500)', (_what, error) => {
    const translated = translateDatabaseError(Object.assign(new Error(), error));
    expect(translated).toBeInstanceOf(DatabaseError);
    expect(translated).toMatchObject({ code: error.code });
  });

  it("removes Knex's statement prefix and PostgreSQL's detail", () => {
    const sql = 'insert into "users" ("email") values ($1)';
    const driver = Object.assign(new Error(`${sql} - duplicate key value`), { code: '23505', detail: 'Key (email)=(bob@example.com) already exists.', bindings: ['bob@example.com'] });
    const translated = translateDatabaseError(driver, sql);
    expect(translated.message).toBe('duplicate key value');
    expect(printed(translated)).not.toContain('bob@example.com');
  });
});
