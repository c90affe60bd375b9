import type { Knex } from 'knex';
import type { AuthenticatedSession, ChangeMessages, ExpiredSessionsQuery, LoginStrength, OutboxMessage, Session, SessionRepository } from '@latchkey/domain';
import { LOGIN_STRENGTHS, messagesOf } from '@latchkey/domain';
import { insertOutboxMessages } from './knex-outbox-rows';
import { PreparedPostgresReads } from './prepared-postgres-reads';
import { PreparedSqliteReads } from './prepared-sqlite-reads';
import type { UserRow } from './knex-user-repository';
import { toNumber, toUser, userColumns } from './knex-user-repository';

const COLUMNS: Record<keyof Session, string> = {
  id: 'id',
  userId: 'user_id',
  secretDigest: 'secret_digest',
  createdAt: 'created_at',
  lastSeenAt: 'last_seen_at',
  ip: 'ip',
  userAgent: 'user_agent',
  strength: 'strength',
};

const RETURNED = Object.entries(COLUMNS).map(([attribute, column]) => `${column} as ${attribute}`);
const RETURNING = Object.entries(COLUMNS)
  .map(([attribute, column]) => `${column} AS "${attribute}"`)
  .join(', ');

type Row = Record<keyof Session, unknown>;

// The cookie check: one read of `sessions` by its unique digest joined to `users` on its key.
const SESSION_WITH_USER = `SELECT ${Object.entries(COLUMNS)
  .map(([attribute, column]) => `s.${column} AS "s_${attribute}"`)
  .join(', ')}, ${userColumns('u.')} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_digest = ?`;

/**
 * The sliding expiry's write on PostgreSQL, at most once a touch interval a session: one
 * conditional UPDATE that does not wait for its WAL record to reach the disk
 * (synchronous_commit off for its own transaction). A crash can lose only the touches of
 * the last moments; their sessions then look last seen one interval earlier than they
 * were, so they can end sooner, never later.
 */
const TOUCH_POSTGRES = `UPDATE sessions SET last_seen_at = CAST(? AS BIGINT) WHERE id = ? AND last_seen_at < CAST(? AS BIGINT)
  AND set_config('synchronous_commit', 'off', true) = 'off'`;

// Each session attribute and its column's name in that read, built once rather than every check.
const SESSION_KEYS = Object.keys(COLUMNS).map((attribute) => [attribute, `s_${attribute}`] as const);

const MOST_RECENTLY_USED: { column: string; order: 'desc' }[] = [
  { column: 'last_seen_at', order: 'desc' },
  { column: 'id', order: 'desc' },
];

/** SessionRepository on any Knex client (SQLite, PostgreSQL), on the database of the users. */
export class KnexSessionRepository implements SessionRepository {
  /** The cookie check, the hot path, skips the query builder: prepared on better-sqlite3 and PostgreSQL. */
  private readonly prepared?: PreparedSqliteReads | PreparedPostgresReads;
  private readonly postgres: boolean;

  /** `reads`: PostgreSQL's prepared reads on a pool of their own (PreparedPostgresReads.onPool); on Knex's pool otherwise. */
  constructor(
    private readonly knex: Knex,
    reads?: PreparedPostgresReads,
  ) {
    this.prepared = PreparedSqliteReads.for(knex) ?? reads ?? PreparedPostgresReads.for(knex);
    this.postgres = (knex.client as { config: Knex.Config }).config.client === 'pg';
  }

  /**
   * One INSERT … SELECT from the user's row, which must still hold the hash the login
   * checked. On PostgreSQL the row is read FOR SHARE: a password change that has updated it
   * but not committed makes this wait, then see the new hash and insert nothing; one that
   * comes after waits for this insert to commit, then deletes the session it made. (A plain
   * read would see the old row under READ COMMITTED and insert after the change's delete.)
   * SQLite runs one writer at a time, so the statement sees either before or after.
   */
  async open(session: Session, credential: string, messages?: readonly OutboxMessage[]): Promise<boolean> {
    const sql = `INSERT INTO sessions (id, user_id, secret_digest, created_at, last_seen_at, ip, user_agent, strength)
      SELECT CAST(? AS TEXT), id, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT)
      FROM users WHERE id = ? AND hashed_password = ?${this.postgres ? ' FOR SHARE' : ''} RETURNING id`;
    const bindings = [
      session.id,
      session.secretDigest,
      session.createdAt,
      session.lastSeenAt,
      session.ip,
      session.userAgent,
      session.strength,
      session.userId,
      credential,
    ];
    if (!messages?.length) return rowsOf(await this.knex.raw(sql, bindings)).length === 1;
    // With its events: the session and their rows commit together, or neither does.
    return this.knex.transaction(async (trx) => {
      const opened = rowsOf(await trx.raw(sql, bindings)).length === 1;
      if (opened) await insertOutboxMessages(trx, messages);
      return opened;
    });
  }

  async findBySecretDigest(secretDigest: string): Promise<AuthenticatedSession | null> {
    const row = this.prepared
      ? await this.prepared.first<Record<string, unknown>>(SESSION_WITH_USER, [secretDigest])
      : rowsOf(await this.knex.raw(SESSION_WITH_USER, [secretDigest]))[0];
    if (!row) return null;
    const session: Record<string, unknown> = {};
    for (const [attribute, key] of SESSION_KEYS) session[attribute] = row[key];
    return { session: toSession(session as Row), user: toUser(row as UserRow) };
  }

  async touch(sessionId: string, at: number, seenBefore: number): Promise<void> {
    if (this.prepared instanceof PreparedPostgresReads) {
      await this.prepared.run(TOUCH_POSTGRES, [at, sessionId, seenBefore]);
      return;
    }
    await this.knex('sessions').where('id', sessionId).where('last_seen_at', '<', seenBefore).update({ last_seen_at: at });
  }

  async listForUser(userId: number): Promise<Session[]> {
    const rows = (await this.knex('sessions').select(RETURNED).where('user_id', userId).orderBy(MOST_RECENTLY_USED)) as Row[];
    return rows.map(toSession);
  }

  async end(userId: number, sessionId: string, messages?: ChangeMessages<Session[]>): Promise<Session | null> {
    const select = (db: Knex | Knex.Transaction) => db('sessions').where({ id: sessionId, user_id: userId });
    if (messages === undefined) return (await this.deleted(this.knex, select(this.knex)))[0] ?? null;
    return (await this.ending(userId, select, messages))[0] ?? null;
  }

  endAllBut(userId: number, keepId: string, messages?: ChangeMessages<Session[]>): Promise<Session[]> {
    return this.ending(userId, (db) => db('sessions').where('user_id', userId).whereNot('id', keepId), messages);
  }

  endAll(userId: number, messages?: ChangeMessages<Session[]>): Promise<Session[]> {
    return this.ending(userId, (db) => db('sessions').where('user_id', userId), messages);
  }

  endBeyond(userId: number, keep: number, messages?: ChangeMessages<Session[]>): Promise<Session[]> {
    return this.ending(userId, (db) => db('sessions').whereIn('id', db('sessions').select('id').where('user_id', userId).orderBy(MOST_RECENTLY_USED).offset(keep)), messages);
  }

  /** The users row is written first: on PostgreSQL its lock is what a concurrent open waits on. */
  changePassword(userId: number, hashedPassword: string, mail?: ChangeMessages<Session[]>): Promise<Session[]> {
    return this.knex.transaction(async (trx) => {
      const changed = await trx('users').where('id', userId).update({ hashed_password: hashedPassword });
      const ended = await this.deleted(trx, trx('sessions').where('user_id', userId));
      if (changed > 0) await insertOutboxMessages(trx, messagesOf(mail, ended));
      return ended;
    });
  }

  deleteExpired({ createdBefore, lastSeenBefore, limit }: ExpiredSessionsQuery): Promise<Session[]> {
    const expired = this.knex('sessions')
      .select('id')
      .where('created_at', '<=', createdBefore)
      .orWhere('last_seen_at', '<=', lastSeenBefore)
      .limit(limit);
    if (!this.postgres) return this.deleted(this.knex, this.knex('sessions').whereIn('id', expired));
    // Rows another statement is ending are left to it: a sweep never waits on a user's lock.
    // The pick runs once, as a CTE: inside `id IN (…)` PostgreSQL may run it again and take
    // more than `limit`.
    const picked = this.knex('sessions').withMaterialized('expired', expired.forUpdate().skipLocked());
    return this.deleted(this.knex, picked.whereIn('id', this.knex('expired').select('id')));
  }

  /**
   * Ends the sessions `select` picks, with the messages made of them (when any ended) in the
   * same transaction; without messages, as ofOneUser runs it.
   */
  private ending(userId: number, select: (db: Knex | Knex.Transaction) => Knex.QueryBuilder, messages?: ChangeMessages<Session[]>): Promise<Session[]> {
    if (messages === undefined) return this.ofOneUser(userId, (db) => this.deleted(db, select(db)));
    return this.knex.transaction(async (trx) => {
      if (this.postgres) await trx.raw('SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE', [userId]);
      const ended = await this.deleted(trx, select(trx));
      if (ended.length > 0) await insertOutboxMessages(trx, messagesOf(messages, ended));
      return ended;
    });
  }

  /**
   * Runs an ending of several sessions of one user. On PostgreSQL two such deletes could
   * lock the same rows in different orders (a deadlock); taking the user's row first makes
   * them, and password changes, take turns. On SQLite each statement already runs alone.
   */
  private ofOneUser<T>(userId: number, run: (db: Knex | Knex.Transaction) => Promise<T>): Promise<T> {
    if (!this.postgres) return run(this.knex);
    return this.knex.transaction(async (trx) => {
      await trx.raw('SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE', [userId]);
      return run(trx);
    });
  }

  /** Deletes what the query selects and returns it, in one statement (DELETE … RETURNING). */
  private async deleted(runner: Knex | Knex.Transaction, query: Knex.QueryBuilder): Promise<Session[]> {
    // Knex returns no rows from a DELETE on SQLite: the statement is run raw with RETURNING.
    const { sql, bindings } = query.del().toSQL();
    const rows = rowsOf(await runner.raw(`${sql} RETURNING ${RETURNING}`, bindings as readonly Knex.Value[])) as Row[];
    return rows.map(toSession);
  }
}

function toSession(row: Row): Session {
  return {
    id: String(row.id),
    userId: Number(row.userId),
    secretDigest: String(row.secretDigest),
    createdAt: toNumber(row.createdAt) ?? 0,
    lastSeenAt: toNumber(row.lastSeenAt) ?? 0,
    ip: (row.ip as string | null) ?? null,
    userAgent: (row.userAgent as string | null) ?? null,
    strength: (LOGIN_STRENGTHS as readonly unknown[]).includes(row.strength) ? (row.strength as LoginStrength) : 'password',
  };
}

/** The rows of a raw query, whichever driver ran it (pg wraps them; the SQLite drivers do not). */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}

/**
 * Deletes the sessions `query` selects and returns them, in one statement, for changes of
 * other tables that end sessions in their own transaction (a password change, a deletion).
 */
export async function deleteSessionsReturning(runner: Knex | Knex.Transaction, query: Knex.QueryBuilder): Promise<Session[]> {
  const { sql, bindings } = query.del().toSQL();
  const rows = rowsOf(await runner.raw(`${sql} RETURNING ${RETURNING}`, bindings as readonly Knex.Value[])) as Row[];
  return rows.map(toSession);
}
