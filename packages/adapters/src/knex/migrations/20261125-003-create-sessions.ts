import type { Knex } from 'knex';
import { v7 as uuidV7 } from 'uuid';

/** Sessions copied per statement: a batch of inserts stays well under every bind limit. */
const COPY_BATCH = 500;

/**
 * Sessions get a table of their own (many per user). Every session of `users` is copied
 * into it, with a public id of its creation time, so nobody is logged out by the upgrade;
 * then the session columns of `users` go. `down` puts each user's most recently used
 * session back.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (table) => {
    // UUID v7, the public handle; the cookie's secret is stored only as its digest.
    table.string('id', 36).primary();
    table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.string('secret_digest', 64).notNullable().unique('sessions_secret_digest_unique');
    table.bigInteger('created_at').notNullable();
    table.bigInteger('last_seen_at').notNullable();
    table.string('ip', 64).nullable();
    table.string('user_agent', 512).nullable();
    // How the login was proven; a second factor will add values.
    table.string('strength', 16).notNullable().defaultTo('password');
    table.index(['user_id', 'last_seen_at'], 'sessions_user_id_index');
    table.index(['created_at'], 'sessions_created_at_index');
    table.index(['last_seen_at'], 'sessions_last_seen_at_index');
  });
  await copySessionsFromUsers(knex);
  await dropUserSessionColumns(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.string('session_id', 64).nullable().unique('users_session_id_unique');
    table.bigInteger('session_created_at').nullable();
    table.bigInteger('session_seen_at').nullable();
  });
  const latest = (column: string) =>
    knex('sessions')
      .select(column)
      .whereRaw('sessions.user_id = users.id')
      .orderBy([
        { column: 'last_seen_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(1);
  await knex('users').update({
    session_id: latest('secret_digest'),
    session_created_at: latest('created_at'),
    session_seen_at: latest('last_seen_at'),
  });
  await knex.schema.dropTable('sessions');
}

interface OldSessionRow {
  id: number;
  session_id: string;
  session_created_at: number | string | null;
  session_seen_at: number | string | null;
}

async function copySessionsFromUsers(knex: Knex): Promise<void> {
  const now = Date.now();
  for (let after = 0; ; ) {
    const rows = (await knex('users')
      .select('id', 'session_id', 'session_created_at', 'session_seen_at')
      .whereNotNull('session_id')
      .where('id', '>', after)
      .orderBy('id')
      .limit(COPY_BATCH)) as OldSessionRow[];
    if (rows.length === 0) return;
    await knex('sessions').insert(rows.map((row) => sessionOf(row, now)));
    after = Number(rows[rows.length - 1]!.id);
  }
}

function sessionOf(row: OldSessionRow, now: number): Record<string, unknown> {
  const createdAt = row.session_created_at === null ? now : Number(row.session_created_at);
  return {
    id: uuidV7({ msecs: createdAt }),
    user_id: row.id,
    secret_digest: row.session_id,
    created_at: createdAt,
    last_seen_at: row.session_seen_at === null ? createdAt : Number(row.session_seen_at),
    ip: null,
    user_agent: null,
    strength: 'password',
  };
}

const OLD_COLUMNS = ['session_id', 'session_created_at', 'session_seen_at'];

async function dropUserSessionColumns(knex: Knex): Promise<void> {
  const client = (knex.client as { config: Knex.Config }).config.client;
  if (client === 'pg') {
    await knex.raw(`ALTER TABLE users ${OLD_COLUMNS.map((column) => `DROP COLUMN ${column}`).join(', ')}`);
    return;
  }
  // SQLite drops a column in place (no copy of the table) once no index names it.
  await knex.raw('DROP INDEX IF EXISTS users_session_id_unique');
  for (const column of OLD_COLUMNS) await knex.raw(`ALTER TABLE users DROP COLUMN ${column}`);
}
