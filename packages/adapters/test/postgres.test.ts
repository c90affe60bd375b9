import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAlreadyExistsError } from '@latchkey/domain';
import { KnexUserRepository, createKnex, knexConfigFromUrl, migrateToLatest, migrationSource } from '../src';
import type { Knex } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';

const postgres = await checkPostgres();

describe('PostgreSQL URLs', () => {
  it('select the pg client for postgres:// and postgresql://, with the pool size given', () => {
    for (const url of ['postgres://u:p@db:5432/latchkey', 'postgresql://u@db/latchkey']) {
      expect(knexConfigFromUrl(url, { poolMax: 7 })).toMatchObject({ client: 'pg', connection: url, pool: { max: 7 } });
    }
    expect(knexConfigFromUrl('postgres://db/latchkey').pool).toMatchObject({ max: 10 });
  });
});

describe.skipIf(!postgres.available)(`PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;

  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  // The repository contracts run on PostgreSQL in contracts.test.ts.
  describe('schema', () => {
    let knex: Knex;
    beforeAll(async () => {
      knex = createKnex(database.url, { poolMax: 4 });
      await migrateToLatest(knex);
    });
    afterAll(async () => {
      await knex?.destroy();
    });

    it('is made by the same migrations, once', async () => {
      expect(await migrateToLatest(knex)).toEqual([]);
      const columns = await knex('information_schema.columns')
        .where({ table_schema: 'public', table_name: 'users' })
        .orderBy('ordinal_position')
        .pluck('column_name');
      expect(columns).toEqual([
        'id',
        'email',
        'email_normalized',
        'hashed_password',
        'reset_token',
        'reset_token_expires_at',
        'created_at',
        'email_verified_at',
      ]);
    });

    it('looks a session up through its unique index, and its user by primary key', async () => {
      // The tables are nearly empty, where a scan is cheapest: ask for the plan of a big table.
      const sql = 'EXPLAIN SELECT * FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_digest = ?';
      const text = await knex.transaction(async (trx) => {
        await trx.raw('SET LOCAL enable_seqscan = off');
        const plan = (await trx.raw(sql, ['0'.repeat(64)])) as { rows: Array<{ 'QUERY PLAN': string }> };
        return plan.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      expect(text).toMatch(/Index Scan using sessions_secret_digest_unique on sessions/);
      expect(text).toMatch(/Index Scan using users_pkey on users/);
    });

    it("maps PostgreSQL's unique violation (23505) on the email index to UserAlreadyExistsError", async () => {
      const repo = new KnexUserRepository(knex);
      await repo.addUser('Race@Example.com', 'hash');
      const raw = await knex('users')
        .insert({ email: 'x', email_normalized: 'race@example.com', hashed_password: 'h', created_at: 0 })
        .catch((error: unknown) => error as { code?: string; constraint?: string });
      expect(raw).toMatchObject({ code: '23505', constraint: 'users_email_normalized_unique' });
      await expect(repo.addUser('RACE@example.com', 'hash')).rejects.toBeInstanceOf(UserAlreadyExistsError);
    });

    it('keeps other unique violations as they are', async () => {
      const repo = new KnexUserRepository(knex);
      const a = await repo.addUser('one@example.com', 'hash');
      const b = await repo.addUser('two@example.com', 'hash');
      await repo.updateUser(a.id, { resetToken: 'same-token' });
      const error = await repo.updateUser(b.id, { resetToken: 'same-token' }).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(UserAlreadyExistsError);
      expect(error).toMatchObject({ code: '23505', constraint: 'users_reset_token_unique' });
    });

    it('lets instances that start together on a new database migrate it once', async () => {
      const admin = createKnex(database.url, { poolMax: 1 });
      await admin.raw('CREATE SCHEMA starting_together');
      await admin.destroy();
      const instances = Array.from({ length: 4 }, () =>
        knexFactory({ ...knexConfigFromUrl(database.url, { poolMax: 2 }), searchPath: ['starting_together'] }),
      );
      try {
        const applied = await Promise.all(instances.map((instance) => migrateToLatest(instance)));
        expect(applied.flat()).toEqual(await migrationSource.getMigrations([]));
      } finally {
        await Promise.all(instances.map((instance) => instance.destroy()));
      }
    });

    it('takes its pool size from the option', () => {
      const pooled = createKnex(database.url, { poolMax: 3 });
      expect(pooled.client.pool.max).toBe(3);
      return pooled.destroy();
    });
  });
});
