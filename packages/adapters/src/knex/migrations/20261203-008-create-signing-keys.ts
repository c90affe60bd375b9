import type { Knex } from 'knex';

/**
 * The keys that sign session tokens, shared by every instance: the public key in clear
 * (the key set is served from it), the private key sealed under ENCRYPTION_KEYS. The
 * generation is the primary key: instances that make a key at the same time insert the
 * same generation, and one of them wins. A new table only: nothing existing is rewritten.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signing_keys', (table) => {
    table.integer('generation').primary();
    // The JWK thumbprint (43 characters) or the kid a configured key was given.
    table.string('kid', 128).notNullable().unique();
    table.string('algorithm', 16).notNullable();
    table.string('public_jwk', 1024).notNullable();
    // AES-256-GCM of a private JWK: key id, nonce, ciphertext and tag, base64url.
    table.string('sealed_private_key', 1024).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('signs_from').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('signing_keys');
}
