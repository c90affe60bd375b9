import type { ConsumeOptions, IssueOptions, OutboxMessage, PasswordResetTokenRepository, StoredResetToken } from '@latchkey/domain';
import { NoResultFound, normalizeEmail } from '@latchkey/domain';
import type { MemoryUserRepository } from './memory-user-repository';

/**
 * Reset tokens beside a MemoryUserRepository. Each method checks and writes with no await
 * in between, so concurrent calls cannot interleave.
 */
export class MemoryPasswordResetTokenRepository implements PasswordResetTokenRepository {
  /** By digest, in the order issued. */
  private readonly tokens = new Map<string, StoredResetToken>();

  constructor(private readonly users: MemoryUserRepository) {}

  async issue(token: StoredResetToken, { now, keep }: IssueOptions, mail?: readonly OutboxMessage[]): Promise<void> {
    if (!this.users.storedUser(token.userId)) throw new NoResultFound();
    this.users.outbox.addNow(mail);
    this.tokens.set(token.digest, { ...token });
    const live = this.ofUser(token.userId).filter((t) => t.expiresAt > now);
    const kept = new Set(live.slice(-keep).map((t) => t.digest));
    for (const t of this.ofUser(token.userId)) if (!kept.has(t.digest)) this.tokens.delete(t.digest);
    this.users.changeStoredUser(token.userId, { resetToken: token.digest, resetTokenExpiresAt: token.expiresAt });
  }

  async consume(digest: string, { now, email }: ConsumeOptions): Promise<StoredResetToken | null> {
    const token = this.tokens.get(digest);
    if (!token || token.expiresAt <= now) return null;
    const user = this.users.storedUser(token.userId);
    if (!user || (email !== undefined && normalizeEmail(email) !== normalizeEmail(user.email))) return null;
    for (const t of this.ofUser(token.userId)) this.tokens.delete(t.digest);
    this.users.changeStoredUser(token.userId, { resetToken: null, resetTokenExpiresAt: null });
    return { ...token };
  }

  /** Ends every token of the user, with no await (an account deletion's part). */
  dropUserNow(userId: number): void {
    for (const t of this.ofUser(userId)) this.tokens.delete(t.digest);
  }

  private ofUser(userId: number): StoredResetToken[] {
    return [...this.tokens.values()].filter((t) => t.userId === userId);
  }
}
