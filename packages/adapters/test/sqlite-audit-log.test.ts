import { describe, expect, it } from 'vitest';
import { createKnex, migrateToLatest } from '../src';

// The AuditLog contract runs on every backend in contracts.test.ts.

describe('the auth_events table', () => {
  it('is made by a migration, with no column for a secret', async () => {
    const knex = createKnex('sqlite::memory:');
    try {
      await migrateToLatest(knex);
      const columns = Object.keys(await knex('auth_events').columnInfo());
      expect(columns).toEqual(['id', 'type', 'occurred_at', 'user_id', 'email', 'ip', 'user_agent']);
    } finally {
      await knex.destroy();
    }
  });
});
