import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryClaimOptions,
  DeliveryQuery,
  EndpointSecret,
  NewWebhookEndpoint,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookStore,
} from '@latchkey/domain';
import { WEBHOOK_TOPIC, endpointWants, webhookBody } from '@latchkey/domain';
import { MemoryOutboxStore } from './memory-outbox-store';

interface Row extends WebhookDelivery {
  seq: number;
  body: string;
  availableAt: number;
  startedAt: number;
  claim: string | null;
}

/**
 * Webhook endpoints and deliveries in Maps, fed from the memory outbox the repositories
 * write events to (pass the users' outbox). Each method runs in one synchronous stretch,
 * so a fan-out and a claim are atomic as their statements are in a database.
 */
export class MemoryWebhookStore implements WebhookStore {
  private readonly endpoints = new Map<number, WebhookEndpoint>();
  private readonly rows = new Map<number, Row>();
  private lastEndpoint = 0;
  private lastDelivery = 0;

  constructor(private readonly outbox = new MemoryOutboxStore()) {}

  async addEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint> {
    const stored = structuredClone({ ...endpoint, id: ++this.lastEndpoint });
    this.endpoints.set(stored.id, stored);
    return structuredClone(stored);
  }

  async listEndpoints(): Promise<WebhookEndpoint[]> {
    return [...this.endpoints.values()].map((endpoint) => structuredClone(endpoint));
  }

  async findEndpoint(id: number): Promise<WebhookEndpoint | null> {
    const endpoint = this.endpoints.get(id);
    return endpoint ? structuredClone(endpoint) : null;
  }

  async replaceSecrets(id: number, current: readonly EndpointSecret[], next: readonly EndpointSecret[]): Promise<boolean> {
    const endpoint = this.endpoints.get(id);
    if (!endpoint || JSON.stringify(endpoint.secrets) !== JSON.stringify(current)) return false;
    endpoint.secrets = structuredClone([...next]);
    return true;
  }

  async removeEndpoint(id: number): Promise<boolean> {
    for (const row of this.rows.values()) if (row.endpointId === id) this.rows.delete(row.id);
    return this.endpoints.delete(id);
  }

  async fanOut(limit: number, now: number): Promise<number> {
    const events = this.outbox.takeNow(WEBHOOK_TOPIC, limit);
    for (const event of events) {
      const payload = event.payload as { id: string; type: string; timestamp: string; data: { user_id?: unknown } };
      for (const endpoint of this.endpoints.values()) {
        if (!endpointWants(endpoint, event.kind) || this.has(endpoint.id, payload.id)) continue;
        const id = ++this.lastDelivery;
        this.rows.set(id, {
          id,
          endpointId: endpoint.id,
          eventId: payload.id,
          eventType: event.kind,
          userId: typeof payload.data?.user_id === 'number' ? payload.data.user_id : null,
          seq: event.id,
          body: webhookBody(payload),
          state: 'pending',
          attempts: 0,
          createdAt: now,
          availableAt: 0,
          startedAt: now,
          claim: null,
          nextAttemptAt: 0,
          lastAttemptAt: null,
          settledAt: null,
          lastStatus: null,
          lastError: null,
        });
      }
    }
    return events.length;
  }

  async claim({ now, limit, leaseMs, claim }: DeliveryClaimOptions): Promise<ClaimedDelivery[]> {
    const pending = [...this.rows.values()].filter((row) => row.state === 'pending');
    const heads = pending.filter(
      (row) => row.availableAt <= now && !pending.some((other) => other.endpointId === row.endpointId && other.userId === row.userId && other.seq < row.seq),
    );
    const due = heads.sort((a, b) => a.availableAt - b.availableAt || a.seq - b.seq).slice(0, Math.max(0, limit));
    return due.map((row) => {
      Object.assign(row, { attempts: row.attempts + 1, availableAt: now + leaseMs, claim, lastAttemptAt: now });
      const endpoint = this.endpoints.get(row.endpointId)!;
      return {
        id: row.id,
        endpointId: row.endpointId,
        url: endpoint.url,
        secrets: structuredClone(endpoint.secrets),
        eventId: row.eventId,
        eventType: row.eventType,
        body: row.body,
        attempts: row.attempts,
        startedAt: row.startedAt,
        claim,
      };
    });
  }

  async delivered(id: number, claim: string, outcome: AttemptOutcome): Promise<boolean> {
    return this.settle(id, claim, { state: 'delivered', settledAt: outcome.at, lastStatus: outcome.status, lastError: null });
  }

  async retry(id: number, claim: string, dueAt: number, outcome: AttemptOutcome): Promise<boolean> {
    return this.settle(id, claim, { availableAt: dueAt, lastStatus: outcome.status, lastError: outcome.error });
  }

  async fail(id: number, claim: string, outcome: AttemptOutcome): Promise<boolean> {
    return this.settle(id, claim, { state: 'failed', settledAt: outcome.at, lastStatus: outcome.status, lastError: outcome.error });
  }

  async listDeliveries({ state, endpointId, limit }: DeliveryQuery): Promise<WebhookDelivery[]> {
    return [...this.rows.values()]
      .filter((row) => (state === undefined || row.state === state) && (endpointId === undefined || row.endpointId === endpointId))
      .sort((a, b) => b.id - a.id)
      .slice(0, limit)
      .map((row) => ({
        id: row.id,
        endpointId: row.endpointId,
        eventId: row.eventId,
        eventType: row.eventType,
        userId: row.userId,
        state: row.state,
        attempts: row.attempts,
        createdAt: row.createdAt,
        nextAttemptAt: row.state === 'pending' ? row.availableAt : null,
        lastAttemptAt: row.lastAttemptAt,
        settledAt: row.settledAt,
        lastStatus: row.lastStatus,
        lastError: row.lastError,
      }));
  }

  async replay(id: number, now: number): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.state === 'pending') return false;
    Object.assign(row, { state: 'pending', attempts: 0, availableAt: now, startedAt: now, claim: null, settledAt: null });
    return true;
  }

  async deleteSettledBefore(cutoff: number, limit: number): Promise<number> {
    let deleted = 0;
    for (const row of this.rows.values()) {
      if (deleted >= limit) break;
      if (row.state !== 'pending' && (row.settledAt ?? 0) < cutoff && this.rows.delete(row.id)) deleted++;
    }
    return deleted;
  }

  async nextDueAt(now: number): Promise<number | null> {
    if (this.outbox.holds(WEBHOOK_TOPIC)) return now;
    let next: number | null = null;
    for (const row of this.rows.values()) if (row.state === 'pending' && (next === null || row.availableAt < next)) next = row.availableAt;
    return next;
  }

  private has(endpointId: number, eventId: string): boolean {
    return [...this.rows.values()].some((row) => row.endpointId === endpointId && row.eventId === eventId);
  }

  private settle(id: number, claim: string, changes: Partial<Row>): boolean {
    const row = this.rows.get(id);
    if (!row || row.state !== 'pending' || row.claim !== claim) return false;
    Object.assign(row, changes, { claim: null });
    return true;
  }
}
