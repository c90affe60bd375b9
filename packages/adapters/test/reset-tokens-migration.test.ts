import { expect, it } from 'vitest';
import type { Knex } from '../src';
import { KnexPasswordResetTokenRepository, migrateToLatest, migrationConfig } from '../src';
import { onEveryDatabase } from './support/migration-databases';
import type { EmptyDatabase } from './support/migration-databases';

const NOW = Date.UTC(2026, 10, 25);

/** The schema of the release before password_reset_tokens: users and auth_events. */
async function migrateToPreviousRelease(knex: Knex): Promise<void> {
  await knex.migrate.up({ ...migrationConfig, name: '20261124-001-create-users' });
  await knex.migrate.up({ ...migrationConfig, name: '20261125-002-create-auth-events' });
  await knex.migrate.up({ ...migrationConfig, name: '20261125-003-create-sessions' });
}

function migrationCases(open: () => Promise<EmptyDatabase>): void {
  it('copies the pending reset token of each user, which keeps working; down drops the table and keeps users', async () => {
    const { knex, close } = await open();
    try {
      await migrateToPreviousRelease(knex);
      const row = (email: string, token: string | null, expiresAt: number | null) => ({
        email,
        email_normalized: email,
        hashed_password: 'hash',
        reset_token: token,
        reset_token_expires_at: expiresAt,
        created_at: NOW - 1000,
      });
      await knex('users').insert([row('pending@example.com', 'd'.repeat(64), NOW + 60_000), row('none@example.com', null, null)]);
      expect((await migrateToLatest(knex))[0]).toBe('20261125-004-create-password-reset-tokens');
      expect(await knex('password_reset_tokens').pluck('digest')).toEqual(['d'.repeat(64)]);
      const tokens = new KnexPasswordResetTokenRepository(knex);
      expect(await tokens.consume('d'.repeat(64), { now: NOW, email: 'pending@example.com' })).toMatchObject({ expiresAt: NOW + 60_000 });

      // Later migrations are undone first, one at a time.
      for (let undone = 0; undone < 20 && (await knex.schema.hasTable('password_reset_tokens')); undone++) await knex.migrate.down(migrationConfig);
      expect(await knex.schema.hasTable('password_reset_tokens')).toBe(false);
      expect((await knex('users').pluck('email')).sort()).toEqual(['none@example.com', 'pending@example.com']);
      expect((await migrateToLatest(knex))[0]).toBe('20261125-004-create-password-reset-tokens');
    } finally {
      await close();
    }
  });
}

onEveryDatabase('migration 004, password_reset_tokens', migrationCases);
