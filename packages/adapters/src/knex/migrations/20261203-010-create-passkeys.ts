import type { Knex } from 'knex';

/**
 * Passkeys (WebAuthn): each user's credentials, their public keys (COSE) and signature
 * counters; and the challenges of ceremonies in progress, each used once. New tables only:
 * nothing existing is rewritten.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('passkeys', (table) => {
    // The public id (UUID v7): lists and removals name it; it opens nothing.
    table.string('id', 36).primary();
    table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    // The authenticator's credential id, base64url: one account's at most.
    table.string('credential_id', 1400).notNullable().unique();
    table.binary('public_key').notNullable();
    table.bigInteger('counter').notNullable();
    // JSON array of transports (`internal`, `hybrid`, `usb`, …).
    table.text('transports').notNullable();
    table.string('name', 64).notNullable();
    table.string('device_type', 16).notNullable();
    table.boolean('backed_up').notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('last_used_at').nullable();
    table.index(['user_id'], 'passkeys_user_id_index');
  });
  await knex.schema.createTable('passkey_challenges', (table) => {
    // `<purpose>:<binding>`: the session's id, or the digest of the ceremony cookie or pending login.
    table.string('ceremony_key', 96).primary();
    table.string('challenge', 64).notNullable();
    table.integer('user_id').nullable();
    table.boolean('scoped').notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('expires_at').notNullable();
    table.index(['expires_at'], 'passkey_challenges_expires_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('passkey_challenges');
  await knex.schema.dropTable('passkeys');
}
