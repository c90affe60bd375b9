import { normalizeEmail } from '@latchkey/domain';
import type { AuditLog, AuthEvent, AuthEventQuery, RecordedAuthEvent } from '@latchkey/domain';

/** The audit trail in memory, for tests and for apps that keep none. */
export class MemoryAuditLog implements AuditLog {
  private readonly events: RecordedAuthEvent[] = [];

  async record(event: AuthEvent): Promise<void> {
    this.events.push({ ...event, id: this.events.length + 1 });
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
