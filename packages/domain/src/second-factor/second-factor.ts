/**
 * A user's TOTP second factor. The secret is stored only sealed (SecretBox); `enabledAt`
 * is null while an enrolment waits for its first code. `lastStep` is the time step of the
 * last code accepted: a code of that step or an earlier one is refused (no replay).
 */
export interface SecondFactor {
  userId: number;
  /** The TOTP secret, sealed. */
  sealedSecret: string;
  /** Epoch milliseconds; null until a code has confirmed the enrolment. */
  enabledAt: number | null;
  lastStep: number | null;
}

/**
 * A login whose password was right, waiting for its second factor. Its token is stored
 * only as a digest; it is no session: it opens nothing but POST /sessions/second_factor.
 */
export interface PendingLogin {
  /** SHA-256 of the pending token. */
  tokenDigest: string;
  userId: number;
  /** The password hash the login was checked against: the session opens only while it is still the user's. */
  credential: string;
  createdAt: number;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

export interface SecondFactorSettings {
  /** How long a pending login waits for its code. */
  pendingLoginTtlMs: number;
  /** Pending logins one user may hold; a new one ends the oldest beyond it. */
  pendingLoginsPerUser: number;
  /** Every code check answers no sooner than this after it began, right code or wrong. */
  codeCheckMs: number;
  /** The name authenticator apps show beside the account. */
  issuer: string;
}

export const DEFAULT_SECOND_FACTOR_SETTINGS: SecondFactorSettings = {
  pendingLoginTtlMs: 5 * 60_000,
  pendingLoginsPerUser: 5,
  codeCheckMs: 50,
  issuer: 'Latchkey',
};
