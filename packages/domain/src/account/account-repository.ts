import type { OutboxMessage } from '../outbox/outbox-message';
import type { Session } from '../sessions/session';

/**
 * Changes to a whole account, each one atomic step of the storage of users, sessions and
 * tokens (so on the same storage as them). The `mail` of a change (its notice) is written
 * in that same step, only when the change is made.
 */
export interface AccountRepository {
  /**
   * Sets `newHash` while the hash is still `currentHash` (the one the owner's password was
   * checked against) and ends every session of the user but `keepSessionId`, in one
   * transaction. The sessions ended; null when the hash had changed (nothing is written).
   */
  changePassword(userId: number, currentHash: string, newHash: string, keepSessionId: string, mail?: readonly OutboxMessage[]): Promise<Session[] | null>;
  /**
   * Deletes the user with their sessions and tokens, and replaces the email in their audit
   * events (those of the user or naming `email`) by `emailDigest`, in one transaction.
   * When `currentHash` is given, only while the hash still is it. False when nothing was deleted.
   */
  deleteAccount(userId: number, email: string, emailDigest: string, currentHash?: string, mail?: readonly OutboxMessage[]): Promise<boolean>;
  /** Marks the address verified at `at` (an operator's word); false for an unknown user. */
  markVerified(userId: number, at: number): Promise<boolean>;
  /** When the account was created (epoch milliseconds); null for an unknown user. */
  registeredAt(userId: number): Promise<number | null>;
}
