/** What happened to an account, as the audit trail names it. */
export type AuthEventType =
  | 'register'
  | 'login_succeeded'
  | 'login_failed'
  | 'login_throttled'
  /** Refused with 503 because the login failure counters (Redis) could not be reached. */
  | 'login_unavailable'
  | 'logout'
  | 'reset_requested'
  | 'password_changed'
  // A session ended, one event per cause (the logout above is the owner's own ending):
  | 'session_revoked'
  | 'session_revoked_by_admin'
  | 'session_ended_by_reset'
  | 'session_ended_by_limit'
  | 'session_expired'
  // The account lifecycle:
  /** A sign-up named an address that already has an account (answered as a new one). */
  | 'signup_existing'
  | 'verification_sent'
  | 'email_verified'
  /** The right password for an address not yet verified, refused as a wrong one. */
  | 'login_unverified'
  /** A signed-in owner gave a wrong current password. */
  | 'reauth_failed'
  | 'session_ended_by_change'
  | 'email_change_requested'
  | 'email_changed'
  | 'email_change_refused'
  | 'account_deleted'
  // The second factor:
  | 'second_factor_enrolled'
  | 'second_factor_removed'
  | 'second_factor_failed'
  | 'second_factor_reset_by_admin'
  | 'recovery_code_used'
  | 'recovery_codes_replaced'
  // The admin API (the event's actor names the key):
  /** A call with a valid key; the user it concerns, when it names one. */
  | 'admin_api_call'
  /** A read-only key asked for a change (403). */
  | 'admin_api_refused'
  // Passkeys:
  | 'passkey_added'
  | 'passkey_removed'
  /** A sign-in or second-factor assertion refused (no ceremony, unknown credential, bad signature, …). */
  | 'passkey_failed'
  /** A registration whose attestation did not verify. */
  | 'passkey_refused'
  /** An assertion whose signature counter was not above the stored one: a cloned authenticator, or a replay. */
  | 'passkey_counter_regressed';

/**
 * One entry of the audit trail. It never holds a secret: no password, hash, token or
 * session id, only who (when known), what, when and from where.
 */
export interface AuthEvent {
  type: AuthEventType;
  /** Epoch milliseconds. */
  occurredAt: number;
  /** The account's id; null when the email matched no account (or is not known, e.g. at logout). */
  userId: number | null;
  /** The email the request named, normalized (lower case, trimmed); null when it named none. */
  email: string | null;
  /** The client's address, as resolved through trusted proxies. */
  ip: string | null;
  userAgent: string | null;
  /** Who acted, when not the user or an anonymous client: the admin API's key (`api_key:12`). */
  actor?: string | null;
}

export interface RecordedAuthEvent extends AuthEvent {
  /** Increases with each event recorded. */
  id: number;
}

export interface AuthEventQuery {
  /** Events that named this email (compared normalized)… */
  email: string;
  /** …or that concern this account. */
  userId?: number;
  /** At most this many, the most recent first. */
  limit: number;
}

/** The audit trail of authentication events: appended to, and pruned only by age. */
export interface AuditLog {
  /** Appends the event, its text fields bounded (boundAuthEvent). */
  record(event: AuthEvent): Promise<void>;
  recent(query: AuthEventQuery): Promise<RecordedAuthEvent[]>;
  /**
   * Deletes at most `limit` of the oldest events that occurred before `cutoff` (epoch
   * milliseconds), reading at most `limit` rows; resolves to how many were deleted.
   */
  deleteOlderThan(cutoff: number, limit: number): Promise<number>;
}
