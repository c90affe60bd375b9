import type { ClientContext } from './client-context';
import type { AuditLog, AuthEventType } from './ports/audit-log';
import type { Clock } from './ports/clock';
import { USER_AGENT_MAX, truncated } from './sessions/session-rules';
import { normalizeEmail } from './user';

/** Writes audit events, with what every event shares (time, client); nothing when no log is given. */
export class AuditRecorder {
  constructor(
    private readonly audit: AuditLog | undefined,
    private readonly clock: Clock,
  ) {}

  async record(type: AuthEventType, client: ClientContext, who: { userId?: number; email?: string }): Promise<void> {
    if (!this.audit) return;
    await this.audit.record({
      type,
      occurredAt: this.clock.now(),
      userId: who.userId ?? null,
      email: who.email === undefined ? null : normalizeEmail(who.email),
      ip: client.ip || null,
      // A header of any length could come in: the trail keeps what identifies a client.
      userAgent: truncated(client.userAgent, USER_AGENT_MAX),
    });
  }
}
