import type { Knex } from 'knex';

/**
 * Webhooks and the admin API's keys. Endpoints with their sealed secrets; one delivery per
 * event and endpoint, fed from the outbox's `webhook` rows (the unique pair makes moving an
 * event twice harmless); the keys of programs, stored as SHA-256 digests; and the audit
 * trail's `actor`, which names the key behind an admin call. New tables and one nullable
 * column: nothing existing is rewritten.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_endpoints', (table) => {
    table.increments('id').primary();
    table.string('url', 2048).notNullable();
    // JSON: the event types it receives; null for every type.
    table.text('events').nullable();
    // JSON: [{sealed, expiresAt}], the current secret first; previous ones until their overlap ends.
    table.text('secrets').notNullable();
    table.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('webhook_deliveries', (table) => {
    table.bigIncrements('id').primary();
    table.integer('endpoint_id').notNullable();
    // The event: its id (the webhook-id header), type, user and place in the order of events.
    table.string('event_id', 64).notNullable();
    table.string('event_type', 64).notNullable();
    table.bigInteger('user_id').nullable();
    table.bigInteger('event_seq').notNullable();
    // The JSON body exactly as sent: a user's id and address, never a secret.
    table.text('body').notNullable();
    // 'pending' until 'delivered' or 'failed' (given up); settled rows are deleted past retention.
    table.string('state', 16).notNullable();
    table.integer('attempts').notNullable();
    // When the next attempt is due; while claimed, when the claim's lease ends.
    table.bigInteger('available_at').notNullable();
    table.string('claim', 64).nullable();
    table.bigInteger('created_at').notNullable();
    // When its retries started (the fan-out, a replay): the retry window counts from it.
    table.bigInteger('started_at').notNullable();
    table.bigInteger('last_attempt_at').nullable();
    table.bigInteger('settled_at').nullable();
    table.integer('last_status').nullable();
    table.string('last_error', 200).nullable();
    table.unique(['endpoint_id', 'event_id'], { indexName: 'webhook_deliveries_event_unique' });
    table.index(['state', 'available_at'], 'webhook_deliveries_due_index');
    // The order check: is an earlier delivery of this user and endpoint still pending?
    table.index(['endpoint_id', 'user_id', 'state', 'event_seq'], 'webhook_deliveries_order_index');
    table.index(['settled_at'], 'webhook_deliveries_settled_index');
  });
  await knex.schema.createTable('api_keys', (table) => {
    table.increments('id').primary();
    table.string('name', 100).notNullable();
    // SHA-256 (hex) of the key: the key itself is shown once, when made.
    table.string('key_digest', 64).notNullable().unique();
    table.boolean('read_only').notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('last_used_at').nullable();
    table.bigInteger('revoked_at').nullable();
  });
  await knex.schema.alterTable('auth_events', (table) => {
    // Who acted for a program or an operator (`api_key:12`); null for the user's own requests.
    table.string('actor', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auth_events', (table) => {
    table.dropColumn('actor');
  });
  await knex.schema.dropTable('api_keys');
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('webhook_endpoints');
}
