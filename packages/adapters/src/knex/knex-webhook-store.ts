import type { Knex } from 'knex';
import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryClaimOptions,
  DeliveryQuery,
  EndpointSecret,
  NewWebhookEndpoint,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEventType,
  WebhookStore,
} from '@latchkey/domain';
import { WEBHOOK_TOPIC, endpointWants, webhookBody } from '@latchkey/domain';
import { OUTBOX_TABLE } from './knex-outbox-rows';
import { rowsOf } from './knex-session-repository';

const ENDPOINTS = 'webhook_endpoints';
const DELIVERIES = 'webhook_deliveries';

/** Any fixed number: the PostgreSQL advisory lock that makes instances take turns moving events. */
const FAN_OUT_LOCK_KEY = 4_711_150_309;

/** The fan-outs of this process on SQLite, one after another. */
let sqliteFanOuts: Promise<unknown> = Promise.resolve();

/** Rows per INSERT of deliveries: well under the bound variables of every driver. */
const INSERT_CHUNK = 200;

/**
 * Webhook endpoints and deliveries on any Knex client, beside the outbox.
 *
 * Moving events (fanOut) is one transaction that reads the oldest `webhook` rows of the
 * outbox, inserts their deliveries and deletes them; on PostgreSQL it first takes a
 * transaction-scoped advisory lock, without waiting: one instance moves at a time, so
 * deliveries are created in the order of events. A claim is one UPDATE of the due rows it
 * selects, each the earliest pending one of its user and endpoint (NOT EXISTS an earlier
 * pending one), FOR UPDATE SKIP LOCKED on PostgreSQL as the outbox's claims are.
 */
export class KnexWebhookStore implements WebhookStore {
  private readonly postgres: boolean;

  constructor(private readonly knex: Knex) {
    this.postgres = (knex.client as { config: Knex.Config }).config.client === 'pg';
  }

  async addEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint> {
    const [row] = (await this.knex(ENDPOINTS)
      .insert({ url: endpoint.url, events: endpoint.events && JSON.stringify(endpoint.events), secrets: JSON.stringify(endpoint.secrets), created_at: endpoint.createdAt })
      .returning('id')) as Array<{ id: unknown }>;
    return { ...endpoint, id: Number(row!.id) };
  }

  async listEndpoints(): Promise<WebhookEndpoint[]> {
    return ((await this.knex(ENDPOINTS).select('*').orderBy('id')) as EndpointRow[]).map(toEndpoint);
  }

  async findEndpoint(id: number): Promise<WebhookEndpoint | null> {
    const row = (await this.knex(ENDPOINTS).select('*').where({ id }).first()) as EndpointRow | undefined;
    return row ? toEndpoint(row) : null;
  }

  async replaceSecrets(id: number, current: readonly EndpointSecret[], next: readonly EndpointSecret[]): Promise<boolean> {
    return (await this.knex(ENDPOINTS).where({ id, secrets: JSON.stringify(current) }).update({ secrets: JSON.stringify(next) })) === 1;
  }

  removeEndpoint(id: number): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      await trx(DELIVERIES).where({ endpoint_id: id }).del();
      return (await trx(ENDPOINTS).where({ id }).del()) === 1;
    });
  }

  fanOut(limit: number, now: number): Promise<number> {
    if (this.postgres) return this.moveEvents(limit, now);
    // SQLite serves one process: its fan-outs take turns here, as a second connection's would
    // otherwise wait for the write lock while blocking the event loop that must release it.
    const turn = sqliteFanOuts.then(() => this.moveEvents(limit, now));
    sqliteFanOuts = turn.catch(() => {});
    return turn;
  }

  private moveEvents(limit: number, now: number): Promise<number> {
    return this.knex.transaction(async (trx) => {
      if (this.postgres && !rowsOf(await trx.raw('SELECT pg_try_advisory_xact_lock(?) AS locked', [FAN_OUT_LOCK_KEY]))[0]?.locked) return 0;
      // The DELETE comes first: on SQLite a transaction that writes first takes the write lock
      // (waiting its busy timeout) instead of failing to upgrade a read when another writes.
      const oldest = trx(OUTBOX_TABLE).select('id').where({ topic: WEBHOOK_TOPIC, state: 'pending' }).orderBy('id').limit(limit);
      const { sql, bindings } = trx(OUTBOX_TABLE).whereIn('id', oldest).del().toSQL();
      const events = (rowsOf(await trx.raw(`${sql} RETURNING id, kind, payload, created_at`, bindings as readonly Knex.Value[])) as Array<{
        id: unknown;
        kind: string;
        payload: string;
        created_at: unknown;
      }>).sort((a, b) => Number(a.id) - Number(b.id));
      if (events.length === 0) return 0;
      const endpoints = (await trx(ENDPOINTS).select('id', 'events')) as Array<{ id: unknown; events: string | null }>;
      const rows: Record<string, unknown>[] = [];
      for (const event of events) {
        const payload = JSON.parse(event.payload) as { id: string; type: string; timestamp: string; data: { user_id?: unknown } };
        for (const endpoint of endpoints) {
          if (!endpointWants({ events: parseEvents(endpoint.events) }, event.kind)) continue;
          rows.push({
            endpoint_id: Number(endpoint.id),
            event_id: payload.id,
            event_type: event.kind,
            user_id: typeof payload.data?.user_id === 'number' ? payload.data.user_id : null,
            event_seq: Number(event.id),
            body: webhookBody(payload),
            state: 'pending',
            attempts: 0,
            available_at: 0,
            created_at: Number(event.created_at),
            started_at: now,
          });
        }
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await trx(DELIVERIES).insert(rows.slice(i, i + INSERT_CHUNK)).onConflict(['endpoint_id', 'event_id']).ignore();
      }
      return events.length;
    });
  }

  async claim({ now, limit, leaseMs, claim }: DeliveryClaimOptions): Promise<ClaimedDelivery[]> {
    if (limit < 1) return [];
    const due = `SELECT d.id FROM ${DELIVERIES} d WHERE d.state = 'pending' AND d.available_at <= ?
      AND NOT EXISTS (SELECT 1 FROM ${DELIVERIES} e WHERE e.endpoint_id = d.endpoint_id AND e.user_id = d.user_id AND e.state = 'pending' AND e.event_seq < d.event_seq)
      ORDER BY d.available_at, d.event_seq LIMIT ?`;
    const set = `UPDATE ${DELIVERIES} SET attempts = attempts + 1, available_at = ?, claim = ?, last_attempt_at = ?`;
    const columns = ['id', 'endpoint_id', 'event_id', 'event_type', 'body', 'attempts', 'started_at'];
    const returning = `RETURNING ${columns.map((column) => (this.postgres ? `${DELIVERIES}.${column}` : column)).join(', ')}`;
    const sql = this.postgres
      ? `WITH picked AS MATERIALIZED (${due} FOR UPDATE SKIP LOCKED) ${set} FROM picked WHERE ${DELIVERIES}.id = picked.id ${returning}`
      : `${set} WHERE id IN (${due}) ${returning}`;
    const bindings = this.postgres ? [now, limit, now + leaseMs, claim, now] : [now + leaseMs, claim, now, now, limit];
    const rows = rowsOf(await this.knex.raw(sql, bindings));
    if (rows.length === 0) return [];
    const endpointIds = [...new Set(rows.map((row) => Number(row.endpoint_id)))];
    const endpoints = new Map(((await this.knex(ENDPOINTS).select('*').whereIn('id', endpointIds)) as EndpointRow[]).map((row) => [Number(row.id), toEndpoint(row)]));
    return rows
      .filter((row) => endpoints.has(Number(row.endpoint_id)))
      .map((row) => {
        const endpoint = endpoints.get(Number(row.endpoint_id))!;
        return {
          id: Number(row.id),
          endpointId: endpoint.id,
          url: endpoint.url,
          secrets: endpoint.secrets,
          eventId: String(row.event_id),
          eventType: String(row.event_type),
          body: String(row.body),
          attempts: Number(row.attempts),
          startedAt: Number(row.started_at),
          claim,
        };
      })
      .sort((a, b) => a.id - b.id);
  }

  async delivered(id: number, claim: string, outcome: AttemptOutcome): Promise<boolean> {
    return (await this.held(id, claim).update({ state: 'delivered', claim: null, settled_at: outcome.at, last_status: outcome.status, last_error: null })) === 1;
  }

  async retry(id: number, claim: string, dueAt: number, outcome: AttemptOutcome): Promise<boolean> {
    return (await this.held(id, claim).update({ available_at: dueAt, claim: null, last_status: outcome.status, last_error: outcome.error })) === 1;
  }

  async fail(id: number, claim: string, outcome: AttemptOutcome): Promise<boolean> {
    return (await this.held(id, claim).update({ state: 'failed', claim: null, settled_at: outcome.at, last_status: outcome.status, last_error: outcome.error })) === 1;
  }

  async listDeliveries({ state, endpointId, limit }: DeliveryQuery): Promise<WebhookDelivery[]> {
    const query = this.knex(DELIVERIES)
      .select('id', 'endpoint_id', 'event_id', 'event_type', 'user_id', 'state', 'attempts', 'created_at', 'available_at', 'last_attempt_at', 'settled_at', 'last_status', 'last_error')
      .orderBy('id', 'desc')
      .limit(limit);
    if (state) query.where({ state });
    if (endpointId !== undefined) query.where({ endpoint_id: endpointId });
    return ((await query) as Record<string, unknown>[]).map(toDelivery);
  }

  async replay(id: number, now: number): Promise<boolean> {
    const changes = { state: 'pending', attempts: 0, available_at: now, started_at: now, claim: null, settled_at: null };
    return (await this.knex(DELIVERIES).where({ id }).whereIn('state', ['delivered', 'failed']).update(changes)) === 1;
  }

  async deleteSettledBefore(cutoff: number, limit: number): Promise<number> {
    const expired = this.knex(DELIVERIES).select('id').whereIn('state', ['delivered', 'failed']).where('settled_at', '<', cutoff).limit(limit);
    return this.knex(DELIVERIES).whereIn('id', expired).del();
  }

  async nextDueAt(now: number): Promise<number | null> {
    if (await this.knex(OUTBOX_TABLE).select('id').where({ topic: WEBHOOK_TOPIC, state: 'pending' }).first()) return now;
    const row = (await this.knex(DELIVERIES).min({ next: 'available_at' }).where({ state: 'pending' }).first()) as { next: unknown } | undefined;
    return row?.next === null || row?.next === undefined ? null : Number(row.next);
  }

  private held(id: number, claim: string): Knex.QueryBuilder {
    return this.knex(DELIVERIES).where({ id, claim, state: 'pending' });
  }
}

interface EndpointRow {
  id: unknown;
  url: string;
  events: string | null;
  secrets: string;
  created_at: unknown;
}

function parseEvents(text: string | null): WebhookEventType[] | null {
  return text === null ? null : (JSON.parse(text) as WebhookEventType[]);
}

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return { id: Number(row.id), url: row.url, events: parseEvents(row.events), secrets: JSON.parse(row.secrets) as EndpointSecret[], createdAt: Number(row.created_at) };
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toDelivery(row: Record<string, unknown>): WebhookDelivery {
  const state = row.state as WebhookDelivery['state'];
  return {
    id: Number(row.id),
    endpointId: Number(row.endpoint_id),
    eventId: String(row.event_id),
    eventType: String(row.event_type),
    userId: nullableNumber(row.user_id),
    state,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    nextAttemptAt: state === 'pending' ? Number(row.available_at) : null,
    lastAttemptAt: nullableNumber(row.last_attempt_at),
    settledAt: nullableNumber(row.settled_at),
    lastStatus: nullableNumber(row.last_status),
    lastError: (row.last_error as string | null) ?? null,
  };
}
