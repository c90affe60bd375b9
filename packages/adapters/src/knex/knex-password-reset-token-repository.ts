import type { Knex } from 'knex';
import type { ConsumeOptions, IssueOptions, OutboxMessage, PasswordResetTokenRepository, StoredResetToken } from '@latchkey/domain';
import { insertOutboxMessages } from './knex-outbox-rows';
import { NoResultFound, normalizeEmail } from '@latchkey/domain';

const TABLE = 'password_reset_tokens';

/**
 * Reset tokens in the password_reset_tokens table, users.reset_token naming the newest.
 * Each change is one transaction that first takes the user's row (PostgreSQL: a row lock;
 * SQLite: its first statement is a write, which takes the database's write lock), so
 * changes to one user's tokens run one after the other and never deadlock.
 */
export class KnexPasswordResetTokenRepository implements PasswordResetTokenRepository {
  private readonly rowLocks: boolean;

  constructor(private readonly knex: Knex) {
    this.rowLocks = (knex.client as { config: Knex.Config }).config.client === 'pg';
  }

  async issue(token: StoredResetToken, { now, keep }: IssueOptions, mail?: readonly OutboxMessage[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const updated = await trx('users')
        .where('id', token.userId)
        .update({ reset_token: token.digest, reset_token_expires_at: token.expiresAt });
      if (updated === 0) throw new NoResultFound();
      await trx(TABLE).insert({ digest: token.digest, user_id: token.userId, expires_at: token.expiresAt, created_at: now });
      const kept = trx(TABLE).select('id').where('user_id', token.userId).where('expires_at', '>', now).orderBy('id', 'desc').limit(keep);
      await trx(TABLE).where('user_id', token.userId).whereNotIn('id', kept).del();
      await insertOutboxMessages(trx, mail);
    });
  }

  async consume(digest: string, { now, email }: ConsumeOptions): Promise<StoredResetToken | null> {
    const candidate = await this.candidate(digest, now, email);
    if (!candidate) return null;
    return this.knex.transaction(async (trx) => {
      if (this.rowLocks) await trx('users').select('id').where('id', candidate.userId).forUpdate();
      // The token is still there only for the first request: the others delete nothing.
      const won = await trx(TABLE).where({ digest, user_id: candidate.userId }).where('expires_at', '>', now).del();
      if (won === 0) return null;
      await trx(TABLE).where('user_id', candidate.userId).del();
      await trx('users').where('id', candidate.userId).update({ reset_token: null, reset_token_expires_at: null });
      return candidate;
    });
  }

  /** The live token of this digest (and email), read outside the transaction: a hint only. */
  private async candidate(digest: string, now: number, email?: string): Promise<StoredResetToken | undefined> {
    const query = this.knex(`${TABLE} as t`)
      .join('users as u', 'u.id', 't.user_id')
      .where('t.digest', digest)
      .where('t.expires_at', '>', now)
      .first('t.user_id as userId', 't.expires_at as expiresAt');
    if (email !== undefined) query.where('u.email_normalized', normalizeEmail(email));
    const row = (await query) as { userId: unknown; expiresAt: unknown } | undefined;
    return row && { userId: Number(row.userId), digest, expiresAt: Number(row.expiresAt) };
  }
}
