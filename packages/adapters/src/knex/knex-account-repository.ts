import type { Knex } from 'knex';
import type { AccountRepository, ChangeMessages, OutboxMessage, Session } from '@latchkey/domain';
import { messagesOf } from '@latchkey/domain';
import { insertOutboxMessages } from './knex-outbox-rows';
import { normalizeEmail } from '@latchkey/domain';
import { deleteSessionsReturning } from './knex-session-repository';
import { toNumber } from './knex-user-repository';

/**
 * The tables that hold a user's rows besides `users`. SQLite enforces no foreign key here, so
 * every row a user owns is deleted by name: a deleted account leaves no sealed secret,
 * recovery code or token behind.
 */
const OWNED_TABLES = ['sessions', 'password_reset_tokens', 'email_tokens', 'second_factors', 'recovery_codes', 'pending_logins', 'passkeys', 'passkey_challenges'];

/**
 * Account changes on any Knex client, each one transaction that writes the user's row
 * first: on PostgreSQL its lock makes a concurrent login's session insert (FOR SHARE) wait
 * and then see the change; on SQLite the first write takes the database's write lock.
 */
export class KnexAccountRepository implements AccountRepository {
  constructor(private readonly knex: Knex) {}

  changePassword(userId: number, currentHash: string, newHash: string, keepSessionId: string, mail?: ChangeMessages<Session[]>): Promise<Session[] | null> {
    return this.knex.transaction(async (trx) => {
      const changed = await trx('users').where({ id: userId, hashed_password: currentHash }).update({ hashed_password: newHash });
      if (changed === 0) return null;
      const ended = await deleteSessionsReturning(trx, trx('sessions').where('user_id', userId).whereNot('id', keepSessionId));
      await insertOutboxMessages(trx, messagesOf(mail, ended));
      return ended;
    });
  }

  deleteAccount(userId: number, email: string, emailDigest: string, currentHash?: string, mail?: readonly OutboxMessage[]): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      const user = trx('users').where('id', userId);
      if (currentHash !== undefined) user.where('hashed_password', currentHash);
      if ((await user.del()) === 0) return false;
      for (const table of OWNED_TABLES) await trx(table).where('user_id', userId).del();
      await trx('auth_events')
        .where('user_id', userId)
        .orWhere('email', normalizeEmail(email))
        .update({ email: emailDigest });
      await insertOutboxMessages(trx, mail);
      return true;
    });
  }

  async markVerified(userId: number, at: number, mail?: readonly OutboxMessage[]): Promise<boolean> {
    if (!mail?.length) return (await this.knex('users').where('id', userId).update({ email_verified_at: at })) === 1;
    return this.knex.transaction(async (trx) => {
      if ((await trx('users').where('id', userId).update({ email_verified_at: at })) !== 1) return false;
      await insertOutboxMessages(trx, mail);
      return true;
    });
  }

  async registeredAt(userId: number): Promise<number | null> {
    const row = (await this.knex('users').select('created_at').where('id', userId).first()) as { created_at: unknown } | undefined;
    return row ? toNumber(row.created_at) : null;
  }
}
