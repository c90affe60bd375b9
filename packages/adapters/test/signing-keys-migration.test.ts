import { expect, it } from 'vitest';
import { migrateToLatest, migrationConfig } from '../src';
import { migrateBefore, onEveryDatabase } from './support/migration-databases';
import type { EmptyDatabase } from './support/migration-databases';

const MIGRATION = '20261203-008-create-signing-keys';

function migrationCases(open: () => Promise<EmptyDatabase>): void {
  it('adds signing_keys and leaves users and sessions as they were; down drops only it', async () => {
    const { knex, close } = await open();
    try {
      await migrateBefore(knex, MIGRATION);
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

onEveryDatabase('migration 008, signing keys', migrationCases);
