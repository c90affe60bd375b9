import type { Knex } from 'knex';

/** The audit trail: one row per authentication event, never a secret. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_events', (table) => {
    table.increments('id').primary();
    table.string('type', 32).notNullable();
    table.bigInteger('occurred_at').notNullable();
    // No foreign key: the trail outlives the rows it speaks of, and a failed login names no user.
    table.integer('user_id').nullable();
    table.string('email', 320).nullable();
    table.string('ip', 64).nullable();
    table.string('user_agent', 512).nullable();
    table.index(['email', 'id'], 'auth_events_email_index');
    table.index(['user_id', 'id'], 'auth_events_user_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_events');
}
