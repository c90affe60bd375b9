import { boundAuthEvent, normalizeEmail } from '@latchkey/domain';
import type { AuditLog, AuthEvent, AuthEventQuery, RecordedAuthEvent } from '@latchkey/domain';

/** The audit trail in memory, for tests and for apps that keep none. */
export class MemoryAuditLog implements AuditLog {
  private events: RecordedAuthEvent[] = [];
  private lastId = 0;

  async record(event: AuthEvent): Promise<void> {
    this.events.push({ ...boundAuthEvent(event), id: ++this.lastId });
  }

  async deleteOlderThan(cutoff: number, limit: number): Promise<number> {
    const expired = new Set(this.events.slice(0, limit).filter((event) => event.occurredAt < cutoff));
    this.events = this.events.filter((event) => !expired.has(event));
    return expired.size;
  }

  async recent({ email, userId, limit }: AuthEventQuery): Promise<RecordedAuthEvent[]> {
    const address = normalizeEmail(email);
    return this.events
      .filter((event) => event.email === address || (userId !== undefined && event.userId === userId))
      .reverse()
      .slice(0, limit)
      .map((event) => ({ ...event }));
  }
}
