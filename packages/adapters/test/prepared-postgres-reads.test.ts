import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoResultFound, DependencyUnavailableError } from '@latchkey/domain';
import { DEFAULT_READ_DEADLINE_MS, KnexSessionRepository, KnexUserRepository, PreparedPostgresReads, ReadDeadlineError, createKnex, knexConfigFromUrl, migrateToLatest } from '../src';
import type { Knex } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';

const postgres = await checkPostgres();

/** A session row as the sessions table holds it, for the cookie check's prepared read. */
const SESSION_ROW = {
  id: '0190a6e0-0000-7000-8000-000000000001',
  secret_digest: 'digest-1',
  created_at: Date.now(),
  last_seen_at: Date.now(),
  ip: null,
  user_agent: null,
  strength: 'password',
};

describe('prepared reads off PostgreSQL', () => {
  it('are not made for SQLite', () => {
    const knex = createKnex('sqlite::memory:');
    expect(PreparedPostgresReads.for(knex)).toBeUndefined();
    void knex.destroy();
  });
});

describe.skipIf(!postgres.available)(`prepared reads on PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  const opened: Knex[] = [];
  const open = (poolMax: number, connection: Record<string, unknown> = {}) => {
    const base = knexConfigFromUrl(database.url, { poolMax });
    const knex = knexFactory({ ...base, connection: { connectionString: database.url, ...connection }, log: { warn: () => {} } });
    opened.push(knex);
    return knex;
  };

  beforeAll(async () => {
    database = await createScratchDatabase();
    const knex = open(1);
    await migrateToLatest(knex);
  });
  afterAll(async () => {
    await Promise.all(opened.map((knex) => knex.destroy()));
    await database?.drop();
  });

  it('look up by unique key as named statements, parsed once per connection', async () => {
    const knex = open(1);
    const repo = new KnexUserRepository(knex);
    const sessions = new KnexSessionRepository(knex);
    const user = await repo.addUser('Prepared@example.com', 'hash');
    await repo.updateUser(user.id, { resetToken: 'token-1' });
    await knex('sessions').insert({ ...SESSION_ROW, user_id: user.id });
    for (let i = 0; i < 3; i++) {
      for (const filter of [{ id: user.id }, { email: 'prepared@EXAMPLE.com' }, { resetToken: 'token-1' }]) {
        expect((await repo.findUserBy(filter)).id).toBe(user.id);
      }
      expect((await sessions.findBySecretDigest('digest-1'))?.user.id).toBe(user.id);
    }
    const { rows } = (await knex.raw(`SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'latchkey_%'`)) as { rows: Array<{ name: string; statement: string }> };
    expect(rows).toHaveLength(4);
    expect(rows.map((row) => row.statement).join('\n')).toMatch(/secret_digest = \$1/);
    await expect(repo.findUserBy({ resetToken: 'nobody' })).rejects.toBeInstanceOf(NoResultFound);
  });

  it('never see the uncommitted rows of an open transaction', async () => {
    const knex = open(2);
    const repo = new KnexUserRepository(knex);
    const user = await repo.addUser('trx@example.com', 'hash');
    const trx = await knex.transaction();
    await trx('users').where('id', user.id).update({ reset_token: 'uncommitted' });
    await expect(repo.findUserBy({ resetToken: 'uncommitted' })).rejects.toBeInstanceOf(NoResultFound);
    await trx.commit();
    expect((await repo.findUserBy({ resetToken: 'uncommitted' })).id).toBe(user.id);
  });

  it('take their deadline from the connection: query_timeout, else statement_timeout, else the default', () => {
    expect(PreparedPostgresReads.for(open(1, { query_timeout: 250 }))!.deadlineMs).toBe(250);
    expect(PreparedPostgresReads.for(open(1, { statement_timeout: 300 }))!.deadlineMs).toBe(300);
    expect(PreparedPostgresReads.for(open(1))!.deadlineMs).toBe(DEFAULT_READ_DEADLINE_MS);
  });

  it('fail past the deadline with a 503-class error, and the pool answers afterwards', async () => {
    const knex = open(1);
    const reads = PreparedPostgresReads.for(knex, 200)!;
    const began = Date.now();
    const slow = reads.first('SELECT pg_sleep(2) AS slept, ? AS n', [1]);
    await expect(slow).rejects.toBeInstanceOf(ReadDeadlineError);
    await expect(slow).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(Date.now() - began).toBeLessThan(1500);
    // The connection still waiting for pg_sleep is destroyed, not lent to the next read.
    expect(await reads.first<{ n: number }>('SELECT ?::int AS n', [7])).toEqual({ n: 7 });
  });

  it('fail when the server cancels at its statement_timeout, on a connection that stays usable', async () => {
    const knex = open(1, { statement_timeout: 150 });
    const reads = PreparedPostgresReads.for(knex)!;
    const backend = () => reads.first<{ pid: number }>('SELECT pg_backend_pid() AS pid, ?::int AS n', [0]);
    const before = await backend();
    await expect(reads.first('SELECT pg_sleep(2) AS slept, ? AS n', [1])).rejects.toBeInstanceOf(ReadDeadlineError);
    expect(await reads.first<{ n: number }>('SELECT ?::int AS n', [8])).toEqual({ n: 8 });
    // The same backend: the pool did not have to open a new connection.
    expect((await backend())!.pid).toBe(before!.pid);
  });

  it('fail past the deadline while every connection is held, and read once one is free', async () => {
    const knex = open(1);
    const reads = PreparedPostgresReads.for(knex, 200)!;
    const trx = await knex.transaction();
    const began = Date.now();
    await expect(reads.first('SELECT ?::int AS n', [1])).rejects.toBeInstanceOf(ReadDeadlineError);
    expect(Date.now() - began).toBeLessThan(1500);
    await trx.commit();
    expect(await reads.first<{ n: number }>('SELECT ?::int AS n', [9])).toEqual({ n: 9 });
  });

  it('fail at the acquire timeout of the pool (DATABASE_TIMEOUT_MS) while every connection is held, without a timer of their own', async () => {
    const knex = createKnex(database.url, { poolMax: 1, timeoutMs: 200 });
    opened.push(knex);
    const reads = PreparedPostgresReads.for(knex)!;
    const trx = await knex.transaction();
    try {
      const began = Date.now();
      await expect(reads.first('SELECT ?::int AS n', [1])).rejects.toBeInstanceOf(DependencyUnavailableError);
      expect(Date.now() - began).toBeLessThan(1500);
    } finally {
      await trx.commit();
    }
    expect(await reads.first<{ n: number }>('SELECT ?::int AS n', [10])).toEqual({ n: 10 });
  });
});

describe.skipIf(!postgres.available)(`prepared reads on a pool of their own${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  let knex: Knex;
  const pools: PreparedPostgresReads[] = [];
  const onPool = (poolMax: number, timeoutMs: number, url = database.url) => {
    const reads = PreparedPostgresReads.onPool(url, { poolMax, timeoutMs });
    pools.push(reads);
    return reads;
  };

  beforeAll(async () => {
    database = await createScratchDatabase();
    knex = createKnex(database.url, { poolMax: 2 });
    await migrateToLatest(knex);
  });
  afterAll(async () => {
    await Promise.all(pools.map((reads) => reads.close().catch(() => {})));
    await knex?.destroy();
    await database?.drop();
  });

  it('serve the repositories, and never see the uncommitted rows of a transaction of Knex', async () => {
    const reads = onPool(2, 1000);
    const users = new KnexUserRepository(knex, reads);
    const sessions = new KnexSessionRepository(knex, reads);
    const user = await users.addUser('own-pool@example.com', 'hash');
    await knex('sessions').insert({ ...SESSION_ROW, secret_digest: 'own-pool', user_id: user.id });
    expect((await sessions.findBySecretDigest('own-pool'))?.user.email).toBe('own-pool@example.com');
    const trx = await knex.transaction();
    await trx('users').where('id', user.id).update({ reset_token: 'uncommitted-own' });
    await expect(users.findUserBy({ resetToken: 'uncommitted-own' })).rejects.toBeInstanceOf(NoResultFound);
    await trx.commit();
    expect((await users.findUserBy({ resetToken: 'uncommitted-own' })).id).toBe(user.id);
  });

  it('take their deadline from the timeout as Knex does: the server cancels at it, on a connection that stays usable', async () => {
    const reads = onPool(1, 200);
    expect(reads.deadlineMs).toBe(450);
    const backend = () => reads.first<{ pid: number }>('SELECT pg_backend_pid() AS pid, ?::int AS n', [0]);
    const before = await backend();
    const began = Date.now();
    await expect(reads.first('SELECT pg_sleep(2) AS slept, ? AS n', [1])).rejects.toBeInstanceOf(ReadDeadlineError);
    expect(Date.now() - began).toBeLessThan(1500);
    expect((await backend())!.pid).toBe(before!.pid);
  });

  it('close a connection the server stopped answering past the deadline, and fail a read waiting for it at its own', async () => {
    const reads = onPool(1, 200);
    const backend = () => reads.first<{ pid: number }>('SELECT pg_backend_pid() AS pid, ?::int AS n', [0]);
    const before = await backend();
    // Without the server's cancel the connection is held until pg's own timer (the deadline) fires.
    await reads.first("SELECT set_config('statement_timeout', '0', false), ?::int AS n", [0]);
    const began = Date.now();
    const stuck = reads.first('SELECT pg_sleep(2) AS slept, ? AS n', [1]).then(
      () => Infinity,
      (error: unknown) => (error instanceof ReadDeadlineError ? Date.now() - began : -1),
    );
    const waiting = reads.first('SELECT ?::int AS n', [2]).then(
      () => Infinity,
      (error: unknown) => (error instanceof ReadDeadlineError ? Date.now() - began : -1),
    );
    const [stuckAfter, waitedAfter] = await Promise.all([stuck, waiting]);
    // Each at its own deadline (450 ms: the timeout and the client's margin), the wait included.
    for (const after of [stuckAfter, waitedAfter]) {
      expect(after).toBeGreaterThanOrEqual(reads.deadlineMs - 50);
      expect(after).toBeLessThan(1500);
    }
    // A new connection, on which the server's cancel is back.
    expect((await backend())!.pid).not.toBe(before!.pid);
  });

  it('answer a 503-class error within the deadline when the server refuses connections', async () => {
    const reads = onPool(1, 200, 'postgres://postgres@127.0.0.1:1/nowhere');
    const began = Date.now();
    await expect(reads.first('SELECT ?::int AS n', [1])).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(Date.now() - began).toBeLessThan(1500);
  });

  it('end their pool on close', async () => {
    const reads = onPool(1, 1000);
    expect(await reads.first<{ n: number }>('SELECT ?::int AS n', [3])).toEqual({ n: 3 });
    await reads.close();
    await expect(reads.first('SELECT ?::int AS n', [4])).rejects.toThrow();
  });
});
