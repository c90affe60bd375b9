import type { Knex } from 'knex';
import type { ClaimOptions, ClaimedMessage, JsonObject, OutboxMessage, OutboxStore } from '@latchkey/domain';
import { OUTBOX_TABLE, insertOutboxMessages } from './knex-outbox-rows';
import { rowsOf } from './knex-session-repository';

/**
 * The outbox in the outbox_messages table, on any Knex client. A claim is one statement:
 * an UPDATE of the due rows it selects that counts the attempt, moves `available_at` to the
 * lease's end and sets the claim's token, RETURNING what it took. On PostgreSQL the
 * selection is FOR UPDATE SKIP LOCKED: workers racing lock different rows and none waits
 * (a row locked by another is skipped, one it updated meanwhile is seen as updated, no
 * longer due). SQLite runs one writer at a time: the statement is atomic as it is.
 * Every settling statement names the claim's token: a worker whose lease ran out (and whose
 * message another took) changes nothing.
 */
export class KnexOutboxStore implements OutboxStore {
  private readonly postgres: boolean;

  constructor(private readonly knex: Knex) {
    this.postgres = (knex.client as { config: Knex.Config }).config.client === 'pg';
  }

  add(messages: readonly OutboxMessage[]): Promise<void> {
    return insertOutboxMessages(this.knex, messages);
  }

  async claim({ now, limit, leaseMs, topics, claim }: ClaimOptions): Promise<ClaimedMessage[]> {
    if (topics.length === 0 || limit < 1) return [];
    const topicList = topics.map(() => '?').join(', ');
    const due = `SELECT id FROM ${OUTBOX_TABLE} WHERE state = 'pending' AND available_at <= ? AND topic IN (${topicList}) ORDER BY available_at, id LIMIT ?`;
    const set = `UPDATE ${OUTBOX_TABLE} SET attempts = attempts + 1, available_at = ?, claim = ?`;
    const returning = `RETURNING ${this.postgres ? `${OUTBOX_TABLE}.` : ''}id, topic, kind, payload, attempts`;
    // PostgreSQL: the selection runs once, as a CTE; inside `id IN (…)` it may run again for
    // each row updated, skip the rows this statement has just updated, and take more than `limit`.
    const sql = this.postgres
      ? `WITH picked AS MATERIALIZED (${due} FOR UPDATE SKIP LOCKED) ${set} FROM picked WHERE ${OUTBOX_TABLE}.id = picked.id ${returning}`
      : `${set} WHERE id IN (${due}) ${returning}`;
    const bindings = this.postgres ? [now, ...topics, limit, now + leaseMs, claim] : [now + leaseMs, claim, now, ...topics, limit];
    const rows = rowsOf(await this.knex.raw(sql, bindings));
    return rows
      .map((row) => ({
        id: Number(row.id),
        topic: String(row.topic),
        kind: String(row.kind),
        payload: JSON.parse(String(row.payload)) as JsonObject,
        attempts: Number(row.attempts),
        claim,
      }))
      .sort((a, b) => a.id - b.id);
  }

  async delivered(id: number, claim: string): Promise<boolean> {
    return (await this.held(id, claim).del()) === 1;
  }

  async retry(id: number, claim: string, dueAt: number, error: string): Promise<boolean> {
    return (await this.held(id, claim).update({ available_at: dueAt, claim: null, last_error: error })) === 1;
  }

  async fail(id: number, claim: string, at: number, error: string): Promise<boolean> {
    const changes = { state: 'failed', payload: null, claim: null, failed_at: at, last_error: error };
    return (await this.held(id, claim).update(changes)) === 1;
  }

  async deleteFailedBefore(cutoff: number, limit: number): Promise<number> {
    const expired = this.knex(OUTBOX_TABLE).select('id').where({ state: 'failed' }).where('failed_at', '<', cutoff).limit(limit);
    return this.knex(OUTBOX_TABLE).whereIn('id', expired).del();
  }

  async nextDueAt(topics: readonly string[]): Promise<number | null> {
    if (topics.length === 0) return null;
    const row = (await this.knex(OUTBOX_TABLE).min({ next: 'available_at' }).where({ state: 'pending' }).whereIn('topic', topics).first()) as
      | { next: unknown }
      | undefined;
    return row?.next === null || row?.next === undefined ? null : Number(row.next);
  }

  private held(id: number, claim: string): Knex.QueryBuilder {
    return this.knex(OUTBOX_TABLE).where({ id, claim, state: 'pending' });
  }
}
