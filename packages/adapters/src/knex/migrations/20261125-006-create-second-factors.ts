import type { Knex } from 'knex';

/**
 * The second factor: each user's TOTP secret (sealed, never readable in a dump), their
 * recovery codes (SHA-256 digests, each single-use) and logins waiting for a code.
 * New tables only: nothing existing is rewritten.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('second_factors', (table) => {
    table.integer('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    // AES-256-GCM: key id, nonce, ciphertext and tag, base64url.
    table.string('sealed_secret', 512).notNullable();
    table.bigInteger('created_at').notNullable();
    // Null while the enrolment waits for its first code.
    table.bigInteger('enabled_at').nullable();
    // The TOTP time step of the last code accepted: it and earlier ones are spent.
    table.bigInteger('last_step').nullable();
  });
  await knex.schema.createTable('recovery_codes', (table) => {
    table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.string('code_digest', 64).notNullable();
    table.bigInteger('used_at').nullable();
    table.primary(['user_id', 'code_digest']);
  });
  await knex.schema.createTable('pending_logins', (table) => {
    table.string('token_digest', 64).primary();
    table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    // The password hash the login checked: the session opens only while it is still the user's.
    table.string('credential', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('expires_at').notNullable();
    table.string('ip', 64).nullable();
    table.string('user_agent', 512).nullable();
    table.index(['user_id'], 'pending_logins_user_id_index');
    table.index(['expires_at'], 'pending_logins_expires_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pending_logins');
  await knex.schema.dropTable('recovery_codes');
  await knex.schema.dropTable('second_factors');
}
