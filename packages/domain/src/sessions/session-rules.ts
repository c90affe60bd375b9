import type { Session } from './session';

export interface SessionLimits {
  /** Absolute lifetime of a session. */
  sessionTtlMs: number;
  /** A session unused for this long ends. */
  sessionIdleMs: number;
  /** Last-use time is written at most this often, to keep reads cheap. */
  sessionTouchIntervalMs: number;
  /** Sessions one user may hold; opening one more ends the least recently used. */
  sessionsPerUserMax: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  sessionTtlMs: 7 * 24 * 3600_000,
  sessionIdleMs: 24 * 3600_000,
  sessionTouchIntervalMs: 60_000,
  sessionsPerUserMax: 20,
};

/** What the audit trail keeps of a client; the columns hold no more. */
export const IP_MAX = 64;
export const USER_AGENT_MAX = 512;

/**
 * Both limits are read from the settings at each check, so a shorter setting applies to
 * sessions already open (sessions carry their times, not their ends).
 */
export function sessionExpired(session: Session, now: number, limits: SessionLimits): boolean {
  return now - session.createdAt >= limits.sessionTtlMs || now - session.lastSeenAt >= limits.sessionIdleMs;
}

/** The bounds of the expired sessions at `now`: created or last seen at or before them. */
export function expiryBounds(now: number, limits: SessionLimits): { createdBefore: number; lastSeenBefore: number } {
  return { createdBefore: now - limits.sessionTtlMs, lastSeenBefore: now - limits.sessionIdleMs };
}

export function needsTouch(session: Session, now: number, limits: SessionLimits): boolean {
  return now - session.lastSeenAt >= limits.sessionTouchIntervalMs;
}

/** When the session would end if unused from now on (the earlier of both limits). */
export function sessionEndsAt(session: Session, limits: SessionLimits): number {
  return Math.min(session.createdAt + limits.sessionTtlMs, session.lastSeenAt + limits.sessionIdleMs);
}

export function truncated(value: string | undefined, max: number): string | null {
  return value ? value.slice(0, max) : null;
}
