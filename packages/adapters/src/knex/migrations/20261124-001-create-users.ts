import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.increments('id').primary();
    table.string('email', 320).notNullable();
    // Lower-cased copy of the email: the unique index makes emails case-insensitive.
    table.string('email_normalized', 320).notNullable().unique('users_email_normalized_unique');
    table.string('hashed_password', 255).notNullable();
    table.string('session_id', 64).nullable().unique('users_session_id_unique');
    table.string('reset_token', 64).nullable().unique('users_reset_token_unique');
    table.bigInteger('session_created_at').nullable();
    table.bigInteger('session_seen_at').nullable();
    table.bigInteger('reset_token_expires_at').nullable();
    table.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
