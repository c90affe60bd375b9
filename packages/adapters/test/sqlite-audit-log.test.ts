import { describe, expect, it } from 'vitest';
import { KnexAuditLog, createKnex, migrateToLatest } from '../src';
import { auditLogContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

auditLogContract(vitestApi, 'Knex + SQLite', async () => {
  const knex = createKnex('sqlite::memory:');
  await migrateToLatest(knex);
  return { log: new KnexAuditLog(knex), close: () => knex.destroy() };
});

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
