import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookMessage } from '@latchkey/domain';
import type { Knex } from '../src';
import { KnexApiKeyRepository, KnexAuditLog, KnexWebhookStore, SQLITE_DRIVERS, createKnex, insertOutboxMessages, knexConfigFromUrl, migrationConfig, migrationSource } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';

const postgres = await checkPostgres();
const MIGRATION = '20261203-009-create-webhooks-and-api-keys';

/** Every migration before this one, as a database of the previous release has them. */
async function migrateToPreviousRelease(knex: Knex): Promise<void> {
  for (const name of await migrationSource.getMigrations([])) {
    if (name >= MIGRATION) break;
    await knex.migrate.up({ ...migrationConfig, name });
  }
}

const count = async (knex: Knex, table: string) => Number(((await knex(table).count({ n: '*' }).first()) as { n: unknown }).n);

function migrationCases(open: () => Promise<{ knex: Knex; close: () => Promise<void> }>): void {
  it('adds the webhook and API key tables and the audit actor, keeping every row of the previous release; down removes only them', async () => {
    const { knex, close } = await open();
    try {
      await migrateToPreviousRelease(knex);
      expect(await knex.schema.hasTable('webhook_deliveries')).toBe(false);
      const [{ id }] = (await knex('users')
        .insert({ email: 'kept@example.com', email_normalized: 'kept@example.com', hashed_password: 'hash', created_at: 1 })
        .returning('id')) as Array<{ id: number }>;
      await knex('auth_events').insert({ type: 'register', occurred_at: 1, user_id: id, email: 'kept@example.com', ip: '127.0.0.1', user_agent: 'old' });
      await knex('outbox_messages').insert({ topic: 'mail', kind: 'kept', payload: '{}', state: 'pending', attempts: 0, available_at: 0, created_at: 1 });
      // This migration alone: later ones have tests of their own.
      const [, applied] = (await knex.migrate.up({ ...migrationConfig, name: MIGRATION })) as [number, string[]];
      expect(applied).toEqual([MIGRATION]);
      for (const table of ['webhook_endpoints', 'webhook_deliveries', 'api_keys']) expect(await count(knex, table)).toBe(0);
      expect(await knex('users').pluck('email')).toEqual(['kept@example.com']);
      expect(await knex('outbox_messages').pluck('kind')).toEqual(['kept']);
      const audit = new KnexAuditLog(knex);
      const [old] = await audit.recent({ email: 'kept@example.com', limit: 5 });
      expect(old).toMatchObject({ type: 'register', userAgent: 'old' });
      expect(old!.actor).toBeUndefined();

      // Usable at once: an endpoint, an event moved into its delivery, a key, an event with an actor.
      const store = new KnexWebhookStore(knex);
      const endpoint = await store.addEndpoint({ url: 'https://hooks.example.com/', events: null, secrets: [{ sealed: 's', expiresAt: null }], createdAt: 2 });
      await insertOutboxMessages(knex, [webhookMessage('user.created', { user_id: id, email: 'kept@example.com' }, 2)]);
      expect(await store.fanOut(10, 3)).toBe(1);
      const [claimed] = await store.claim({ now: 3, limit: 5, leaseMs: 1000, claim: 'probe' });
      expect(claimed).toMatchObject({ endpointId: endpoint.id, eventType: 'user.created', attempts: 1 });
      const keys = new KnexApiKeyRepository(knex);
      await keys.add({ name: 'probe', digest: 'd'.repeat(64), readOnly: true, createdAt: 3 });
      expect((await keys.findByDigest('d'.repeat(64)))?.readOnly).toBe(true);
      await audit.record({ type: 'admin_api_call', occurredAt: 4, userId: id, email: 'kept@example.com', ip: null, userAgent: null, actor: 'api_key:1' });
      expect((await audit.recent({ email: 'kept@example.com', limit: 1 }))[0]!.actor).toBe('api_key:1');

      await knex.migrate.down(migrationConfig);
      for (const table of ['webhook_endpoints', 'webhook_deliveries', 'api_keys']) expect(await knex.schema.hasTable(table)).toBe(false);
      expect(await knex.schema.hasColumn('auth_events', 'actor')).toBe(false);
      expect(await knex('users').pluck('email')).toEqual(['kept@example.com']);
      expect(await count(knex, 'auth_events')).toBe(2);
      expect(await knex('outbox_messages').pluck('kind')).toEqual(['kept']);
    } finally {
      await close();
    }
  });
}

for (const driver of SQLITE_DRIVERS) {
  describe(`migration 009, webhooks and API keys (SQLite, ${driver})`, () => {
    migrationCases(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-migration-009-'));
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

describe.skipIf(!postgres.available)(`migration 009, webhooks and API keys (PostgreSQL${postgres.available ? '' : `, skipped: ${postgres.reason}`})`, () => {
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
