import type { Knex } from 'knex';
import { boundAuthEvent, normalizeEmail } from '@latchkey/domain';
import type { AuditLog, AuthEvent, AuthEventQuery, AuthEventType, RecordedAuthEvent } from '@latchkey/domain';

interface AuthEventRow {
  id: number;
  type: string;
  occurred_at: number | string;
  user_id: number | null;
  email: string | null;
  ip: string | null;
  user_agent: string | null;
  actor?: string | null;
}

/** The audit trail in the `auth_events` table (SQLite or PostgreSQL). */
export class KnexAuditLog implements AuditLog {
  constructor(private readonly knex: Knex) {}

  async record(recorded: AuthEvent): Promise<void> {
    const event = boundAuthEvent(recorded);
    await this.knex<AuthEventRow>('auth_events').insert({
      type: event.type,
      occurred_at: event.occurredAt,
      user_id: event.userId,
      email: event.email,
      ip: event.ip,
      user_agent: event.userAgent,
      ...(event.actor ? { actor: event.actor } : {}),
    });
  }

  async recent({ email, userId, limit }: AuthEventQuery): Promise<RecordedAuthEvent[]> {
    const rows = await this.knex<AuthEventRow>('auth_events')
      .where('email', normalizeEmail(email))
      .modify((query) => {
        if (userId !== undefined) void query.orWhere('user_id', userId);
      })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toEvent);
  }

  // Only the first `limit` rows by id are read (the primary key's order, which is the order
  // of recording): the statement stays short however large the table and whatever its age.
  async deleteOlderThan(cutoff: number, limit: number): Promise<number> {
    const head = this.knex('auth_events').select('id', 'occurred_at').orderBy('id').limit(limit).as('head');
    const expired = this.knex.select('id').from(head).where('occurred_at', '<', cutoff);
    return this.knex('auth_events').whereIn('id', expired).delete();
  }
}

function toEvent(row: AuthEventRow): RecordedAuthEvent {
  return {
    id: row.id,
    type: row.type as AuthEventType,
    // PostgreSQL returns bigint columns as strings.
    occurredAt: Number(row.occurred_at),
    userId: row.user_id,
    email: row.email,
    ip: row.ip,
    userAgent: row.user_agent,
    ...(row.actor ? { actor: row.actor } : {}),
  };
}
