import type { OutboxMessage } from '../outbox/outbox-message';

/** A reset token as stored: its SHA-256 digest, never the token itself. */
export interface StoredResetToken {
  userId: number;
  digest: string;
  /** Epoch milliseconds after which the token no longer works. */
  expiresAt: number;
}

export interface IssueOptions {
  now: number;
  /** Live tokens a user may hold; the oldest beyond it are dropped, expired ones too. */
  keep: number;
}

export interface ConsumeOptions {
  now: number;
  /** When given, only a token of the user with this email is consumed (case ignored). */
  email?: string;
}

/**
 * Storage of the live reset tokens of each user (several at once, so a new request does
 * not void a link already sent). The user's `resetToken` attribute names the newest one
 * and is cleared when a token is used.
 */
export interface PasswordResetTokenRepository {
  /** Adds a token, with `mail` (its link), and drops the user's oldest and expired ones, in one atomic step. */
  issue(token: StoredResetToken, options: IssueOptions, mail?: readonly OutboxMessage[]): Promise<void>;
  /**
   * Uses the live token with this digest: in one atomic step it ends every token of its
   * user and returns what was stored; null when no live token matches. Of concurrent calls
   * for one user's tokens, exactly one gets a token.
   */
  consume(digest: string, options: ConsumeOptions): Promise<StoredResetToken | null>;
}
