import type { Knex } from 'knex';

/**
 * The live reset tokens of each user (several, so a new request does not void a link
 * already sent). users.reset_token keeps naming the newest. A token issued before this
 * migration is copied in and keeps working.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('password_reset_tokens', (table) => {
    table.increments('id').primary();
    table.string('digest', 64).notNullable().unique('password_reset_tokens_digest_unique');
    table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.bigInteger('expires_at').notNullable();
    table.bigInteger('created_at').notNullable();
    table.index(['user_id', 'id'], 'password_reset_tokens_user_id_index');
  });
  await knex.raw(
    `INSERT INTO password_reset_tokens (digest, user_id, expires_at, created_at)
     SELECT reset_token, id, reset_token_expires_at, created_at FROM users
     WHERE reset_token IS NOT NULL AND reset_token_expires_at IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('password_reset_tokens');
}
