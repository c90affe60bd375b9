import type { Knex } from 'knex';

/**
 * The outbox: work to do once a change has committed (today emails, later webhooks),
 * written in the change's transaction and deleted once delivered. A new table only:
 * nothing existing is rewritten.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox_messages', (table) => {
    table.bigIncrements('id').primary();
    // Which handler delivers it ('mail', 'reset_request', …) and what it is within it: never secret.
    table.string('topic', 64).notNullable();
    table.string('kind', 64).notNullable();
    // JSON. An email's holds its rendered text, a link's token included: erased when the message fails.
    table.text('payload').nullable();
    // 'pending' until delivered (then deleted) or given up ('failed').
    table.string('state', 16).notNullable();
    // Tries so far, counted when claimed.
    table.integer('attempts').notNullable();
    // When it is due (0: at once); while a worker holds it, when that worker's lease ends.
    table.bigInteger('available_at').notNullable();
    // The token of the claim that holds it: only its holder settles it.
    table.string('claim', 64).nullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('failed_at').nullable();
    // The last failure, bounded: a driver's or server's words, never the payload.
    table.string('last_error', 200).nullable();
    table.index(['state', 'available_at'], 'outbox_messages_due_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('outbox_messages');
}
