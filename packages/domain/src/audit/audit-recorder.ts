import type { ClientContext } from '../kernel/client-context';
import type { AuditLog, AuthEventType } from '../ports/audit-log';
import type { Clock } from '../kernel/clock';
import { USER_AGENT_MAX, truncated } from '../sessions/session-rules';
import { normalizeEmail } from '../users/user';

/** Told of an event that could not be written, with no more than its type and user. */
export type AuditFailureListener = (error: unknown, event: { type: AuthEventType; userId: number | null }) => void;

/**
 * Writes audit events, with what every event shares (time, client); nothing when no log is
 * given. An event that cannot be written goes to the failure listener instead of failing
 * the change it records: that change is already committed, and the answer must say so.
 */
export class AuditRecorder {
  constructor(
    private readonly audit: AuditLog | undefined,
    private readonly clock: Clock,
    private readonly onFailure: AuditFailureListener = () => {},
  ) {}

  async record(type: AuthEventType, client: ClientContext, who: { userId?: number; email?: string }): Promise<void> {
    if (!this.audit) return;
    try {
      await this.write(this.audit, type, client, who);
    } catch (error) {
      this.onFailure(error, { type, userId: who.userId ?? null });
    }
  }

  private async write(audit: AuditLog, type: AuthEventType, client: ClientContext, who: { userId?: number; email?: string }): Promise<void> {
    await audit.record({
      type,
      occurredAt: this.clock.now(),
      userId: who.userId ?? null,
      email: who.email === undefined ? null : normalizeEmail(who.email),
      ip: client.ip || null,
      // A header of any length could come in: the trail keeps what identifies a client.
      userAgent: truncated(client.userAgent, USER_AGENT_MAX),
      ...(client.actor ? { actor: client.actor } : {}),
    });
  }
}
