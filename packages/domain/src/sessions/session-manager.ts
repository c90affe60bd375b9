import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import type { OutboxMessage } from '../outbox/outbox-message';
import type { AuthEventType } from '../ports/audit-log';
import type { Clock } from '../kernel/clock';
import { digestSecret, newSecret } from '../kernel/secrets';
import type { User } from '../users/user';
import type { LoginStrength, Session, SessionEndCause } from './session';
import { isSessionId, newSessionId } from './session';
import type { AuthenticatedSession, SessionRepository } from './session-repository';
import type { SessionLimits } from './session-rules';
import { IP_MAX, USER_AGENT_MAX, expiryBounds, needsTouch, sessionEndsAt, sessionExpired, truncated } from './session-rules';

/** The audit event of each way a session ends. */
const END_EVENTS: Record<SessionEndCause, AuthEventType> = {
  logout: 'logout',
  revoked_by_owner: 'session_revoked',
  revoked_by_admin: 'session_revoked_by_admin',
  password_reset: 'session_ended_by_reset',
  limit: 'session_ended_by_limit',
  expiry: 'session_expired',
};

/** A session just opened: its cookie secret (never stored) and its record. */
export interface OpenedSession {
  secret: string;
  session: Session;
}

/** The session rules: opening (with the per-user limit), checking, touching, ending, sweeping. */
export class SessionManager {
  constructor(
    private readonly sessions: SessionRepository,
    readonly limits: SessionLimits,
    private readonly clock: Clock,
    private readonly audit: AuditRecorder,
  ) {}

  /**
   * Opens a session for the user while their password is still `user.hashedPassword`
   * (the hash the login was verified against); null when it has changed since.
   */
  async open(user: User, client: ClientContext = {}, strength: LoginStrength = 'password'): Promise<OpenedSession | null> {
    const secret = newSecret();
    const now = this.clock.now();
    const session: Session = {
      id: newSessionId(),
      userId: user.id,
      secretDigest: digestSecret(secret),
      createdAt: now,
      lastSeenAt: now,
      ip: truncated(client.ip, IP_MAX),
      userAgent: truncated(client.userAgent, USER_AGENT_MAX),
      strength,
    };
    if (!(await this.sessions.open(session, user.hashedPassword))) return null;
    const capped = await this.sessions.endBeyond(user.id, this.limits.sessionsPerUserMax);
    await this.recordEnded(capped, 'limit', client);
    return { secret, session };
  }

  /** The live session of a cookie's secret, with its user; null for none or an expired one. */
  async authenticate(secret: string | null | undefined): Promise<AuthenticatedSession | null> {
    if (!secret) return null;
    const found = await this.sessions.findBySecretDigest(digestSecret(secret));
    if (!found) return null;
    const now = this.clock.now();
    if (sessionExpired(found.session, now, this.limits)) {
      const ended = await this.sessions.end(found.user.id, found.session.id);
      await this.recordEnded(ended ? [ended] : [], 'expiry', {});
      return null;
    }
    if (needsTouch(found.session, now, this.limits)) {
      await this.sessions.touch(found.session.id, now, now - this.limits.sessionTouchIntervalMs + 1);
      found.session.lastSeenAt = now;
    }
    return found;
  }

  /** The user's live sessions, most recently used first. */
  async list(userId: number): Promise<Session[]> {
    const now = this.clock.now();
    return (await this.sessions.listForUser(userId)).filter((session) => !sessionExpired(session, now, this.limits));
  }

  /** Ends one of the user's sessions; false when the id names none of theirs. */
  async end(userId: number, sessionId: string, cause: SessionEndCause, client: ClientContext = {}): Promise<boolean> {
    const ended = isSessionId(sessionId) ? await this.sessions.end(userId, sessionId) : null;
    await this.recordEnded(ended ? [ended] : [], cause, client);
    return ended !== null;
  }

  /** Ends the one session of this cookie secret (a logout); false when it opens none. */
  async logout(secret: string | null | undefined, client: ClientContext = {}): Promise<boolean> {
    const found = await this.authenticate(secret);
    return found !== null && this.end(found.user.id, found.session.id, 'logout', client);
  }

  /** The owner ends one of their sessions by its public id; false when it is none of theirs. */
  revoke(userId: number, sessionId: string, client: ClientContext = {}): Promise<boolean> {
    return this.end(userId, sessionId, 'revoked_by_owner', client);
  }

  /** An administrator ends one session of the user (by id) or all of them; how many ended. */
  async revokeAsAdmin(userId: number, sessionId?: string, client: ClientContext = {}): Promise<number> {
    if (sessionId === undefined) return this.endAll(userId, 'revoked_by_admin', client);
    return (await this.end(userId, sessionId, 'revoked_by_admin', client)) ? 1 : 0;
  }

  /** When an unused session would end: the earlier of its absolute and idle limits. */
  endsAt(session: Session): number {
    return sessionEndsAt(session, this.limits);
  }

  /** Ends every session of the user but `keepId`; how many ended. */
  async revokeOthers(userId: number, keepId: string, client: ClientContext = {}): Promise<number> {
    const ended = await this.sessions.endAllBut(userId, keepId);
    await this.recordEnded(ended, 'revoked_by_owner', client);
    return ended.length;
  }

  async endAll(userId: number, cause: SessionEndCause, client: ClientContext = {}): Promise<number> {
    const ended = await this.sessions.endAll(userId);
    await this.recordEnded(ended, cause, client);
    return ended.length;
  }

  /** Sets the new password hash and ends every session, with `mail` (the notice), in one step of the storage. */
  async changePassword(userId: number, hashedPassword: string, client: ClientContext = {}, mail?: readonly OutboxMessage[]): Promise<number> {
    const ended = await this.sessions.changePassword(userId, hashedPassword, mail);
    await this.recordEnded(ended, 'password_reset', client);
    return ended.length;
  }

  /** Deletes at most `limit` expired sessions; how many were. */
  async deleteExpired(limit: number): Promise<number> {
    const ended = await this.sessions.deleteExpired({ ...expiryBounds(this.clock.now(), this.limits), limit });
    await this.recordEnded(ended, 'expiry', {});
    return ended.length;
  }

  private async recordEnded(ended: readonly Session[], cause: SessionEndCause, client: ClientContext): Promise<void> {
    for (const session of ended) await this.audit.record(END_EVENTS[cause], client, { userId: session.userId });
  }
}
