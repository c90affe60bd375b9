import type { OutboxMessage } from '../outbox/outbox-message';
import type { User } from '../users/user';
import type { Session } from './session';

/** A session found by its cookie, with its user: one indexed lookup. */
export interface AuthenticatedSession {
  session: Session;
  user: User;
}

export interface ExpiredSessionsQuery {
  /** Sessions created at or before this time… */
  createdBefore: number;
  /** …or last seen at or before this time, are expired. */
  lastSeenBefore: number;
  /** At most this many are deleted by one call. */
  limit: number;
}

/**
 * Storage of sessions, many per user. Ending a session deletes it, so no later write
 * (a touch, a cap, a listing) can bring it back; each ending returns what it ended, for
 * the audit trail. Every method is one atomic step of the storage.
 */
export interface SessionRepository {
  /**
   * Stores the session only while the user's hashed password is still `credential` (the
   * one the login was verified against), checked in the same step: a password change
   * that commits first wins. False when it no longer is (or the user is gone).
   */
  open(session: Session, credential: string): Promise<boolean>;
  findBySecretDigest(secretDigest: string): Promise<AuthenticatedSession | null>;
  /** Records a use at `at` when the last recorded one is older than `seenBefore`. */
  touch(sessionId: string, at: number, seenBefore: number): Promise<void>;
  /** The user's sessions, most recently used first. */
  listForUser(userId: number): Promise<Session[]>;
  /** Ends the session if it is the user's; null when it is not (or no longer exists). */
  end(userId: number, sessionId: string): Promise<Session | null>;
  /** Ends every session of the user but `keepId`. */
  endAllBut(userId: number, keepId: string): Promise<Session[]>;
  endAll(userId: number): Promise<Session[]>;
  /** Ends the user's least recently used sessions beyond the `keep` most recently used. */
  endBeyond(userId: number, keep: number): Promise<Session[]>;
  /** Sets a new password hash and ends every session of the user, with `mail` (its notice), in one transaction. */
  changePassword(userId: number, hashedPassword: string, mail?: readonly OutboxMessage[]): Promise<Session[]>;
  /** Deletes at most `limit` expired sessions. */
  deleteExpired(query: ExpiredSessionsQuery): Promise<Session[]>;
}
