import type { Knex } from 'knex';
import type { EmailChange, EmailTokenIssueOptions, EmailTokenPurpose, EmailTokenRepository, OutboxMessage, StoredEmailToken } from '@latchkey/domain';
import { insertOutboxMessages } from './knex-outbox-rows';
import { NoResultFound, UserAlreadyExistsError, normalizeEmail } from '@latchkey/domain';
import { isUniqueViolation } from './knex-user-repository';

const TABLE = 'email_tokens';

interface TokenRow {
  userId: unknown;
  email: unknown;
}

/**
 * Email links in the email_tokens table. A link is used by deleting its row inside a
 * transaction: of concurrent uses, only the first deletes it (the others wait on its row
 * lock on PostgreSQL, or on the write lock on SQLite, then delete nothing).
 */
export class KnexEmailTokenRepository implements EmailTokenRepository {
  private readonly rowLocks: boolean;

  constructor(private readonly knex: Knex) {
    this.rowLocks = (knex.client as { config: Knex.Config }).config.client === 'pg';
  }

  async issue(token: StoredEmailToken, { now, keep }: EmailTokenIssueOptions, mail?: readonly OutboxMessage[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const user = trx('users').select('id').where('id', token.userId);
      if (!(await (this.rowLocks ? user.forUpdate() : user).first())) throw new NoResultFound();
      await trx(TABLE).insert({
        digest: token.digest,
        user_id: token.userId,
        purpose: token.purpose,
        email: token.email,
        expires_at: token.expiresAt,
        created_at: now,
      });
      const kept = trx(TABLE)
        .select('id')
        .where({ user_id: token.userId, purpose: token.purpose })
        .where('expires_at', '>', now)
        .orderBy('id', 'desc')
        .limit(keep);
      await trx(TABLE).where({ user_id: token.userId, purpose: token.purpose }).whereNotIn('id', kept).del();
      await insertOutboxMessages(trx, mail);
    });
  }

  verify(digest: string, now: number): Promise<number | null> {
    return this.knex.transaction(async (trx) => {
      const token = await this.take(trx, digest, 'verify', now);
      if (!token) return null;
      // The link proves the address it was sent to: an account that has moved since is not verified by it.
      const updated = await trx('users')
        .where({ id: token.userId, email_normalized: normalizeEmail(token.email) })
        .update({ email_verified_at: now });
      if (updated === 0) return null;
      await trx(TABLE).where({ user_id: token.userId, purpose: 'verify' }).del();
      return token.userId;
    });
  }

  async changeEmail(digest: string, now: number, mail?: (change: EmailChange) => readonly OutboxMessage[]): Promise<EmailChange | null> {
    try {
      return await this.knex.transaction(async (trx) => {
        const token = await this.take(trx, digest, 'change', now);
        if (!token) return null;
        const user = (await trx('users').select('email').where('id', token.userId).first()) as { email: string } | undefined;
        if (!user) return null;
        // The unique index decides a race for the address: the loser's transaction is undone, its link kept.
        await trx('users')
          .where('id', token.userId)
          .update({ email: token.email, email_normalized: normalizeEmail(token.email), email_verified_at: now });
        await trx(TABLE).where('user_id', token.userId).del();
        const change = { userId: token.userId, previousEmail: user.email, email: token.email };
        await insertOutboxMessages(trx, mail?.(change));
        return change;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'email_normalized')) throw new UserAlreadyExistsError(await this.addressOf(digest));
      throw error;
    }
  }

  /** Deletes the live link of the digest and returns it; null when it is not (or no longer) there. */
  private async take(trx: Knex.Transaction, digest: string, purpose: EmailTokenPurpose, now: number): Promise<{ userId: number; email: string } | null> {
    const found = (await trx(TABLE)
      .select('user_id as userId', 'email')
      .where({ digest, purpose })
      .where('expires_at', '>', now)
      .first()) as TokenRow | undefined;
    if (!found) return null;
    if (this.rowLocks) await trx('users').select('id').where('id', Number(found.userId)).forUpdate();
    const won = await trx(TABLE).where({ digest, purpose }).where('expires_at', '>', now).del();
    return won === 1 ? { userId: Number(found.userId), email: String(found.email) } : null;
  }

  private async addressOf(digest: string): Promise<string> {
    const row = (await this.knex(TABLE).select('email').where('digest', digest).first()) as { email: string } | undefined;
    return row?.email ?? '';
  }
}
