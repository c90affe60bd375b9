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

  /** Puts the digest in place of the email in the events of the user or naming the email (no await). */
  replaceEmail(userId: number, email: string, digest: string): void {
    const address = normalizeEmail(email);
    for (const event of this.events) {
      if (event.userId === userId || event.email === address) event.email = digest;
    }
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
