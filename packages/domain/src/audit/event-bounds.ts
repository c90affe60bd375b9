import type { AuthEvent } from '../ports/audit-log';

/** Longest text an audit row keeps in each field, in characters (the table's column sizes). */
export const AUDIT_FIELD_MAX = { type: 32, email: 254, ip: 64, userAgent: 512, actor: 64 } as const;

// NUL and other control characters (PostgreSQL refuses NUL in text) and lone surrogates
// (which a cut can leave at the end) become U+FFFD: the row is written, and says so.
const UNWRITABLE = /[\p{Cc}\p{Cs}]/gu;

function bounded(value: string | null, max: number): string | null {
  return value === null ? null : value.slice(0, max).replace(UNWRITABLE, '\uFFFD');
}

/**
 * The event as an audit row may hold it: every text field cut to its column's size and
 * made storable. Whatever a client sends, a row stays under about a kilobyte.
 */
export function boundAuthEvent(event: AuthEvent): AuthEvent {
  return {
    ...event,
    type: bounded(event.type, AUDIT_FIELD_MAX.type) as AuthEvent['type'],
    email: bounded(event.email, AUDIT_FIELD_MAX.email),
    ip: bounded(event.ip, AUDIT_FIELD_MAX.ip),
    userAgent: bounded(event.userAgent, AUDIT_FIELD_MAX.userAgent),
    ...(event.actor ? { actor: bounded(event.actor, AUDIT_FIELD_MAX.actor) } : {}),
  };
}
