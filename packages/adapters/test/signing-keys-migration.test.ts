import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from '../src';
import { SQLITE_DRIVERS, createKnex, knexConfigFromUrl, migrateToLatest, migrationConfig, migrationSource } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';

const postgres = await checkPostgres();
const MIGRATION = '20261203-008-create-signing-keys';

/** Every migration before this one, as a database of the previous release has them. */
async function migrateToPreviousRelease(knex: Knex): Promise<void> {
  for (const name of await migrationSource.getMigrations([])) {
    if (name >= MIGRATION) break;
    await knex.migrate.up({ ...migrationConfig, name });
  }
}

function migrationCases(open: () => Promise<{ knex: Knex; close: () => Promise<void> }>): void {
  it('adds signing_keys and leaves users and sessions as they were; down drops only it', async () => {
    const { knex, close } = await open();
    try {
      await migrateToPreviousRelease(knex);
      const [{ id }] = (await knex('users')
        .insert({ email: 'kept@example.com', email_normalized: 'kept@example.com', hashed_password: 'hash', created_at: 1 })
        .returning('id')) as Array<{ id: number }>;
      await knex('sessions').insert({ id: '0192f0c0-0000-7000-8000-000000000000', user_id: id, secret_digest: 'd'.repeat(64), created_at: 1, last_seen_at: 1 });
      expect(await migrateToLatest(knex)).toContain(MIGRATION);
      expect(await knex.schema.hasTable('signing_keys')).toBe(true);
      expect(await knex('users').pluck('email')).toEqual(['kept@example.com']);
      expect(await knex('sessions').pluck('secret_digest')).toEqual(['d'.repeat(64)]);
      for (let undone = 0; undone < 20 && (await knex.schema.hasTable('signing_keys')); undone++) await knex.migrate.down(migrationConfig);
      expect(await knex.schema.hasTable('signing_keys')).toBe(false);
      expect(await knex.schema.hasTable('second_factors')).toBe(true);
      expect(await knex('sessions').pluck('secret_digest')).toEqual(['d'.repeat(64)]);
    } finally {
      await close();
    }
  });
}

for (const driver of SQLITE_DRIVERS) {
  describe(`migration 008, signing keys (SQLite, ${driver})`, () => {
    migrationCases(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-migration-008-'));
      const knex = createKnex(`sqlite:${join(dir, 'old.db')}?driver=${driver}`);
      return {
        knex,
        close: async () => {
          await knex.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    });
  });
}

describe.skipIf(!postgres.available)(`migration 008, signing keys (PostgreSQL${postgres.available ? '' : `, skipped: ${postgres.reason}`})`, () => {
  let database: ScratchDatabase;
  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  migrationCases(async () => {
    const knex = knexFactory({ ...knexConfigFromUrl(database.url, { poolMax: 2 }) });
    return { knex, close: () => knex.destroy() };
  });
});
