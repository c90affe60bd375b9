import type { OutboxMessage } from '../outbox/outbox-message';

/** What a link sent by email proves: the account's own address, or an address it would become. */
export type EmailTokenPurpose = 'verify' | 'change';

/** A link's token as stored: its SHA-256 digest, never the token, bound to one address. */
export interface StoredEmailToken {
  userId: number;
  digest: string;
  purpose: EmailTokenPurpose;
  /** The address the link was sent to (verify: the account's; change: the new one). */
  email: string;
  /** Epoch milliseconds after which the link no longer works. */
  expiresAt: number;
}

export interface EmailTokenIssueOptions {
  now: number;
  /** Live links of one purpose a user may hold; the oldest beyond it are dropped, expired ones too. */
  keep: number;
}

/** An email change as it took effect. */
export interface EmailChange {
  userId: number;
  previousEmail: string;
  email: string;
}

/**
 * Storage of the links of email verification and change of email. Using a link is one
 * atomic step that deletes its row: of concurrent uses of one user's links, one wins.
 */
export interface EmailTokenRepository {
  /** Adds a token, with `mail` (the link), and drops the user's oldest and expired ones of its purpose, in one atomic step. */
  issue(token: StoredEmailToken, options: EmailTokenIssueOptions, mail?: readonly OutboxMessage[]): Promise<void>;
  /**
   * Uses a live verification link, only while the account's address is still the one it
   * was sent to: marks the address verified at `now` and ends the user's verification
   * links, in one atomic step. The user's id; null when no live link matches.
   */
  verify(digest: string, now: number): Promise<number | null>;
  /**
   * Uses a live change-of-email link: sets the account's address to the link's (verified
   * at `now`) and ends every email link of the user, in one atomic step. Null when no live
   * link matches; UserAlreadyExistsError when another account holds the address by then
   * (nothing changes and the link stays usable). `mail` is given the change as it takes
   * effect and its messages (the notice to the previous address) are written in that step.
   */
  changeEmail(digest: string, now: number, mail?: (change: EmailChange) => readonly OutboxMessage[]): Promise<EmailChange | null>;
}
