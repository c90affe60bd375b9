import { v7 as uuidV7 } from 'uuid';

/**
 * How the login that opened a session was proven: a password alone, a password and a
 * second factor (a code), a passkey alone, or a password and a passkey as its second factor.
 */
export type LoginStrength = 'password' | 'second_factor' | 'passkey' | 'password_passkey';

export const LOGIN_STRENGTHS: readonly LoginStrength[] = ['password', 'second_factor', 'passkey', 'password_passkey'];

/** Whether the login that opened the session passed a second factor after the password: a code, or a passkey. */
export function passedSecondFactor(strength: LoginStrength): boolean {
  return strength === 'second_factor' || strength === 'password_passkey';
}

/** Why a session ended; each ending is an audit event naming it. */
export type SessionEndCause = 'logout' | 'revoked_by_owner' | 'revoked_by_admin' | 'password_reset' | 'limit' | 'expiry';

/**
 * One logged-in device of a user. The cookie carries a 256-bit secret that is stored only
 * as its SHA-256 digest; the public id (a time-ordered UUID v7) names the session in
 * lists and revocations and never opens anything.
 */
export interface Session {
  id: string;
  userId: number;
  /** SHA-256 of the cookie's secret. */
  secretDigest: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last recorded use (written at most once a minute). */
  lastSeenAt: number;
  /** The client's address and user agent at login, truncated. */
  ip: string | null;
  userAgent: string | null;
  strength: LoginStrength;
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string can be a session's public id; anything else names no session (and reaches no database). */
export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

/** A new time-ordered public id. */
export function newSessionId(): string {
  return uuidV7();
}

/** A session as its owner (API) and operators (CLI) see it: public id, times, client. Never its secret. */
export interface SessionSummary {
  id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  /** Whether a second factor (a code, or a passkey after the password) opened it. */
  second_factor: boolean;
}

/** The summary of a session that ends, unused, at `endsAt` (epoch milliseconds); times in ISO 8601. */
export function summarizeSession(session: Session, endsAt: number): SessionSummary {
  return {
    id: session.id,
    created_at: new Date(session.createdAt).toISOString(),
    last_seen_at: new Date(session.lastSeenAt).toISOString(),
    expires_at: new Date(endsAt).toISOString(),
    ip: session.ip,
    user_agent: session.userAgent,
    second_factor: passedSecondFactor(session.strength),
  };
}
