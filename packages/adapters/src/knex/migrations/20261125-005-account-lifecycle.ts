import type { Knex } from 'knex';

/**
 * Email verification and change of email. `users.email_verified_at` stays null until the
 * owner uses a link (accounts made before stay unverified: they were never asked, and with
 * EMAIL_VERIFICATION=off nothing reads it). `email_tokens` holds the links' digests, each
 * bound to the address it was sent to; a link is used by deleting its row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.bigInteger('email_verified_at').nullable();
  });
  await knex.schema.createTable('email_tokens', (table) => {
    table.increments('id').primary();
    table.string('digest', 64).notNullable().unique('email_tokens_digest_unique');
    table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    // 'verify' (the account's own address) or 'change' (the address it would become).
    table.string('purpose', 16).notNullable();
    table.string('email', 320).notNullable();
    table.bigInteger('expires_at').notNullable();
    table.bigInteger('created_at').notNullable();
    table.index(['user_id', 'id'], 'email_tokens_user_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('email_tokens');
  // In place on both: Knex's SQLite column drop copies the table, which would take the rows
  // that reference users with it.
  await knex.raw('ALTER TABLE users DROP COLUMN email_verified_at');
}
