import { describe, expect, it } from 'vitest';
import { KnexUserRepository, SQLITE_DRIVERS, createKnex, migrationConfig } from '../src';

const LIFECYCLE = '20261125-005-account-lifecycle';

describe.each(SQLITE_DRIVERS)('migration %s on SQLite (%s)', (driver) => {
  it('adds the verification column and the email links to an existing database, and rolls back', async () => {
    const knex = createKnex(`sqlite::memory:?driver=${driver}`);
    try {
      await knex.migrate.up({ ...migrationConfig, name: '20261124-001-create-users' });
      for (const name of ['20261125-002-create-auth-events', '20261125-003-create-sessions', '20261125-004-create-password-reset-tokens']) {
        await knex.migrate.up({ ...migrationConfig, name });
      }
      const before = await new KnexUserRepository(knex).addUser('kept@example.com', 'hash');
      const [, applied] = (await knex.migrate.up({ ...migrationConfig, name: LIFECYCLE })) as [number, string[]];
      expect(applied).toEqual([LIFECYCLE]);
      expect(await new KnexUserRepository(knex).findUserBy({ id: before.id })).toMatchObject({ email: 'kept@example.com', emailVerifiedAt: null });
      expect(await knex.schema.hasTable('email_tokens')).toBe(true);
      await knex('sessions').insert({ id: '0192f000-0000-7000-8000-000000000001', user_id: before.id, secret_digest: 'a'.repeat(64), created_at: 1, last_seen_at: 1 });
      await knex.migrate.down(migrationConfig);
      // The column goes in place: rows that reference users stay.
      expect(await knex('sessions').pluck('user_id')).toEqual([before.id]);
      expect(await knex.schema.hasTable('email_tokens')).toBe(false);
      expect(await knex.schema.hasColumn('users', 'email_verified_at')).toBe(false);
      expect(await knex('users').pluck('email')).toEqual(['kept@example.com']);
    } finally {
      await knex.destroy();
    }
  });
});
