import type { AuthenticatedSession, ChangeMessages, ExpiredSessionsQuery, OutboxMessage, Session, SessionRepository } from '@latchkey/domain';
import { messagesOf } from '@latchkey/domain';
import type { MemoryUserRepository } from './memory-user-repository';

/**
 * Sessions in a Map beside a MemoryUserRepository. Every method reads and writes within one
 * synchronous stretch (no await in between), so each is atomic as a transaction would be.
 */
export class MemorySessionRepository implements SessionRepository {
  private readonly rows = new Map<string, Session>();
  private readonly bySecret = new Map<string, string>();

  constructor(private readonly users: MemoryUserRepository) {}

  async open(session: Session, credential: string, messages?: readonly OutboxMessage[]): Promise<boolean> {
    if (this.users.storedUser(session.userId)?.hashedPassword !== credential) return false;
    this.users.outbox.addNow(messages);
    this.rows.set(session.id, { ...session });
    this.bySecret.set(session.secretDigest, session.id);
    return true;
  }

  async findBySecretDigest(secretDigest: string): Promise<AuthenticatedSession | null> {
    const id = this.bySecret.get(secretDigest);
    const session = id === undefined ? undefined : this.rows.get(id);
    const user = session && this.users.storedUser(session.userId);
    return session && user ? { session: { ...session }, user: { ...user } } : null;
  }

  async touch(sessionId: string, at: number, seenBefore: number): Promise<void> {
    const session = this.rows.get(sessionId);
    if (session && session.lastSeenAt < seenBefore) session.lastSeenAt = at;
  }

  async listForUser(userId: number): Promise<Session[]> {
    return this.ofUser(userId).map((session) => ({ ...session }));
  }

  async end(userId: number, sessionId: string, messages?: ChangeMessages<Session[]>): Promise<Session | null> {
    const session = this.rows.get(sessionId);
    if (!session || session.userId !== userId) return null;
    return this.endNow([session], messages)[0]!;
  }

  async endAllBut(userId: number, keepId: string, messages?: ChangeMessages<Session[]>): Promise<Session[]> {
    return this.endNow(this.ofUser(userId).filter((session) => session.id !== keepId), messages);
  }

  async endAll(userId: number, messages?: ChangeMessages<Session[]>): Promise<Session[]> {
    return this.endNow(this.ofUser(userId), messages);
  }

  async endBeyond(userId: number, keep: number, messages?: ChangeMessages<Session[]>): Promise<Session[]> {
    return this.endNow(this.ofUser(userId).slice(keep), messages);
  }

  async changePassword(userId: number, hashedPassword: string, mail?: ChangeMessages<Session[]>): Promise<Session[]> {
    const user = this.users.storedUser(userId);
    if (!user) return [];
    const ended = this.ofUser(userId);
    this.users.outbox.addNow(messagesOf(mail, ended.map((session) => ({ ...session }))));
    this.users.replaceNow({ ...user, hashedPassword });
    return this.remove(ended);
  }

  /** Ends the sessions with the messages made of them (none when nothing ended), with no await. */
  endNow(sessions: readonly Session[], messages?: ChangeMessages<Session[]>): Session[] {
    if (sessions.length > 0) this.users.outbox.addNow(messagesOf(messages, sessions.map((session) => ({ ...session }))));
    return this.remove(sessions);
  }

  /** The user's sessions but `keepId` (an account change ends them). */
  othersOf(userId: number, keepId: string): Session[] {
    return this.ofUser(userId).filter((session) => session.id !== keepId);
  }

  async deleteExpired({ createdBefore, lastSeenBefore, limit }: ExpiredSessionsQuery): Promise<Session[]> {
    const expired: Session[] = [];
    for (const session of this.rows.values()) {
      if (expired.length >= limit) break;
      if (session.createdAt <= createdBefore || session.lastSeenAt <= lastSeenBefore) expired.push(session);
    }
    return this.remove(expired);
  }

  /** The user's sessions, most recently used first (ids are time-ordered: newest first on a tie). */
  private ofUser(userId: number): Session[] {
    return [...this.rows.values()]
      .filter((session) => session.userId === userId)
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  private remove(sessions: readonly Session[]): Session[] {
    for (const session of sessions) {
      this.rows.delete(session.id);
      this.bySecret.delete(session.secretDigest);
    }
    return sessions.map((session) => ({ ...session }));
  }
}
