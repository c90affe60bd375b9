import type { AuthenticatedSession, ExpiredSessionsQuery, OutboxMessage, Session, SessionRepository } from '@latchkey/domain';
import type { MemoryUserRepository } from './memory-user-repository';

/**
 * Sessions in a Map beside a MemoryUserRepository. Every method reads and writes within one
 * synchronous stretch (no await in between), so each is atomic as a transaction would be.
 */
export class MemorySessionRepository implements SessionRepository {
  private readonly rows = new Map<string, Session>();
  private readonly bySecret = new Map<string, string>();

  constructor(private readonly users: MemoryUserRepository) {}

  async open(session: Session, credential: string): Promise<boolean> {
    if (this.users.storedUser(session.userId)?.hashedPassword !== credential) return false;
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

  async end(userId: number, sessionId: string): Promise<Session | null> {
    const session = this.rows.get(sessionId);
    if (!session || session.userId !== userId) return null;
    return this.remove([session])[0]!;
  }

  async endAllBut(userId: number, keepId: string): Promise<Session[]> {
    return this.remove(this.ofUser(userId).filter((session) => session.id !== keepId));
  }

  async endAll(userId: number): Promise<Session[]> {
    return this.remove(this.ofUser(userId));
  }

  async endBeyond(userId: number, keep: number): Promise<Session[]> {
    return this.remove(this.ofUser(userId).slice(keep));
  }

  async changePassword(userId: number, hashedPassword: string, mail?: readonly OutboxMessage[]): Promise<Session[]> {
    const user = this.users.storedUser(userId);
    if (!user) return [];
    this.users.outbox.addNow(mail);
    this.users.replaceNow({ ...user, hashedPassword });
    return this.remove(this.ofUser(userId));
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
