import { expect, it } from 'vitest';
import { KnexOutboxStore, migrationConfig } from '../src';
import { migrateBefore, onEveryDatabase } from './support/migration-databases';
import type { EmptyDatabase } from './support/migration-databases';

const MIGRATION = '20261203-007-create-outbox';

function migrationCases(open: () => Promise<EmptyDatabase>): void {
  it('adds the outbox table, empty, and leaves every table of the previous release as it was; down drops only it', async () => {
    const { knex, close } = await open();
    try {
      await migrateBefore(knex, MIGRATION);
      expect(await knex.schema.hasTable('outbox_messages')).toBe(false);
      const [{ id }] = (await knex('users')
        .insert({ email: 'kept@example.com', email_normalized: 'kept@example.com', hashed_password: 'hash', created_at: 1 })
        .returning('id')) as Array<{ id: number }>;
      await knex('email_tokens').insert({ digest: 'e'.repeat(64), user_id: id, purpose: 'verify', email: 'kept@example.com', expires_at: 2, created_at: 1 });
      await knex('password_reset_tokens').insert({ digest: 'r'.repeat(64), user_id: id, expires_at: 2, created_at: 1 });
      // The next migration, alone: later ones have tests of their own.
      const [, applied] = (await knex.migrate.up({ ...migrationConfig, name: MIGRATION })) as [number, string[]];
      expect(applied).toEqual([MIGRATION]);
      expect(Number(((await knex('outbox_messages').count({ n: '*' }).first()) as { n: unknown }).n)).toBe(0);
      expect(await knex('users').pluck('email')).toEqual(['kept@example.com']);
      expect(await knex('email_tokens').pluck('digest')).toEqual(['e'.repeat(64)]);
      expect(await knex('password_reset_tokens').pluck('digest')).toEqual(['r'.repeat(64)]);

      // Usable at once: a message goes in, is claimed, is delivered.
      const store = new KnexOutboxStore(knex);
      await store.add([{ topic: 'mail', kind: 'probe', payload: { to: 'kept@example.com' } }]);
      const [claimed] = await store.claim({ now: 10, limit: 5, leaseMs: 1000, topics: ['mail'], claim: 'probe' });
      expect(claimed).toMatchObject({ kind: 'probe', attempts: 1, payload: { to: 'kept@example.com' } });
      expect(await store.delivered(claimed!.id, 'probe')).toBe(true);

      await knex.migrate.down(migrationConfig);
      expect(await knex.schema.hasTable('outbox_messages')).toBe(false);
      expect(await knex('users').pluck('email')).toEqual(['kept@example.com']);
      expect(await knex('email_tokens').pluck('digest')).toEqual(['e'.repeat(64)]);
    } finally {
      await close();
    }
  });
}

onEveryDatabase('migration 007, the outbox', migrationCases);
