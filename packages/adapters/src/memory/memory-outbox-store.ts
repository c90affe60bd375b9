import type { ClaimOptions, ClaimedMessage, JsonObject, OutboxMessage, OutboxStore } from '@latchkey/domain';
import { serializedPayload } from '@latchkey/domain';

interface Row {
  id: number;
  topic: string;
  kind: string;
  /** JSON text, as a table holds it; null once failed. */
  payload: string | null;
  state: 'pending' | 'failed';
  attempts: number;
  /** Due at (new rows: 0, due at once); while claimed, when the lease ends. */
  availableAt: number;
  claim: string | null;
  failedAt: number | null;
  lastError: string | null;
}

/**
 * The outbox in a Map, beside the memory repositories: each method (and each repository
 * write that carries mail, through addNow) runs in one synchronous stretch, so a change and
 * its messages are written together and a claim is atomic, as they are in a database.
 */
export class MemoryOutboxStore implements OutboxStore {
  private readonly rows = new Map<number, Row>();
  private lastId = 0;

  /** How many messages are held, failed ones included (tests). */
  get size(): number {
    return this.rows.size;
  }

  async add(messages: readonly OutboxMessage[]): Promise<void> {
    this.addNow(messages);
  }

  /**
   * Writes the messages with no await: a repository calls it in the synchronous stretch of
   * its change, after the change's checks and before its writes. Every payload is
   * serialized first, so a message that cannot be stored throws having written nothing.
   */
  addNow(messages: readonly OutboxMessage[] | undefined): void {
    const payloads = (messages ?? []).map(serializedPayload);
    messages?.forEach((message, i) => {
      const id = ++this.lastId;
      this.rows.set(id, {
        id,
        topic: message.topic,
        kind: message.kind,
        payload: payloads[i]!,
        state: 'pending',
        attempts: 0,
        availableAt: 0,
        claim: null,
        failedAt: null,
        lastError: null,
      });
    });
  }

  async claim({ now, limit, leaseMs, topics, claim }: ClaimOptions): Promise<ClaimedMessage[]> {
    const due = [...this.rows.values()]
      .filter((row) => row.state === 'pending' && row.availableAt <= now && topics.includes(row.topic))
      .sort((a, b) => a.availableAt - b.availableAt || a.id - b.id)
      .slice(0, Math.max(0, limit));
    return due.map((row) => {
      row.attempts++;
      row.availableAt = now + leaseMs;
      row.claim = claim;
      return { id: row.id, topic: row.topic, kind: row.kind, payload: JSON.parse(row.payload!) as JsonObject, attempts: row.attempts, claim };
    });
  }

  async delivered(id: number, claim: string): Promise<boolean> {
    return this.held(id, claim) !== undefined && this.rows.delete(id);
  }

  async retry(id: number, claim: string, dueAt: number, error: string): Promise<boolean> {
    const row = this.held(id, claim);
    if (!row) return false;
    Object.assign(row, { availableAt: dueAt, claim: null, lastError: error });
    return true;
  }

  async fail(id: number, claim: string, at: number, error: string): Promise<boolean> {
    const row = this.held(id, claim);
    if (!row) return false;
    Object.assign(row, { state: 'failed', payload: null, claim: null, failedAt: at, lastError: error });
    return true;
  }

  async deleteFailedBefore(cutoff: number, limit: number): Promise<number> {
    let deleted = 0;
    for (const row of this.rows.values()) {
      if (deleted >= limit) break;
      if (row.state === 'failed' && (row.failedAt ?? 0) < cutoff && this.rows.delete(row.id)) deleted++;
    }
    return deleted;
  }

  async nextDueAt(topics: readonly string[]): Promise<number | null> {
    let next: number | null = null;
    for (const row of this.rows.values()) {
      if (row.state === 'pending' && topics.includes(row.topic) && (next === null || row.availableAt < next)) next = row.availableAt;
    }
    return next;
  }

  private held(id: number, claim: string): Row | undefined {
    const row = this.rows.get(id);
    return row && row.state === 'pending' && row.claim === claim ? row : undefined;
  }
}
