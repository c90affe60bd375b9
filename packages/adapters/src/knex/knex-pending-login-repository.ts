import type { Knex } from 'knex';
import type { PendingLogin, PendingLoginRepository } from '@latchkey/domain';
import { rowsOf } from './knex-session-repository';
import { toNumber } from './knex-user-repository';

const COLUMNS: Record<keyof PendingLogin, string> = {
  tokenDigest: 'token_digest',
  userId: 'user_id',
  credential: 'credential',
  createdAt: 'created_at',
  expiresAt: 'expires_at',
  ip: 'ip',
  userAgent: 'user_agent',
};

const RETURNING = Object.values(COLUMNS).join(', ');

/** PendingLoginRepository on any Knex client; a pending login is taken by one DELETE … RETURNING. */
export class KnexPendingLoginRepository implements PendingLoginRepository {
  constructor(private readonly knex: Knex) {}

  async add(pending: PendingLogin, keep: number): Promise<void> {
    const row = Object.fromEntries(Object.entries(COLUMNS).map(([attribute, column]) => [column, pending[attribute as keyof PendingLogin]]));
    await this.knex('pending_logins').insert(row);
    const beyond = this.knex('pending_logins')
      .select('token_digest')
      .where('user_id', pending.userId)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'token_digest', order: 'desc' },
      ])
      .offset(keep);
    await this.knex('pending_logins').whereIn('token_digest', beyond).whereNot('token_digest', pending.tokenDigest).del();
  }

  async find(tokenDigest: string, now: number): Promise<PendingLogin | null> {
    const row = (await this.knex('pending_logins').where('token_digest', tokenDigest).where('expires_at', '>', now).first()) as
      | Record<string, unknown>
      | undefined;
    return row ? toPendingLogin(row) : null;
  }

  async take(tokenDigest: string, now: number): Promise<PendingLogin | null> {
    const sql = `DELETE FROM pending_logins WHERE token_digest = ? AND expires_at > ? RETURNING ${RETURNING}`;
    const row = rowsOf(await this.knex.raw(sql, [tokenDigest, now]))[0];
    return row ? toPendingLogin(row) : null;
  }

  async endAll(userId: number): Promise<number> {
    return this.knex('pending_logins').where('user_id', userId).del();
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    const expired = this.knex('pending_logins').select('token_digest').where('expires_at', '<=', now).limit(limit);
    return this.knex('pending_logins').whereIn('token_digest', expired).del();
  }
}

function toPendingLogin(row: Record<string, unknown>): PendingLogin {
  return {
    tokenDigest: String(row.token_digest),
    userId: Number(row.user_id),
    credential: String(row.credential),
    createdAt: toNumber(row.created_at) ?? 0,
    expiresAt: toNumber(row.expires_at) ?? 0,
    ip: (row.ip as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
  };
}
