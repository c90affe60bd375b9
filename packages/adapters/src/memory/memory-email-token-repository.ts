import type { EmailChange, EmailTokenIssueOptions, EmailTokenRepository, OutboxMessage, StoredEmailToken } from '@latchkey/domain';
import { NoResultFound, normalizeEmail } from '@latchkey/domain';
import type { MemoryUserRepository } from './memory-user-repository';

/**
 * Email links beside a MemoryUserRepository. Each method checks and writes with no await
 * in between, so concurrent calls cannot interleave.
 */
export class MemoryEmailTokenRepository implements EmailTokenRepository {
  /** By digest, in the order issued. */
  private readonly tokens = new Map<string, StoredEmailToken>();

  constructor(private readonly users: MemoryUserRepository) {}

  async issue(token: StoredEmailToken, { now, keep }: EmailTokenIssueOptions, mail?: readonly OutboxMessage[]): Promise<void> {
    if (!this.users.storedUser(token.userId)) throw new NoResultFound();
    this.users.outbox.addNow(mail);
    this.tokens.set(token.digest, { ...token });
    const live = this.ofUser(token.userId, token.purpose).filter((t) => t.expiresAt > now);
    const kept = new Set(live.slice(-keep).map((t) => t.digest));
    for (const t of this.ofUser(token.userId, token.purpose)) if (!kept.has(t.digest)) this.tokens.delete(t.digest);
  }

  async verify(digest: string, now: number): Promise<number | null> {
    const token = this.live(digest, 'verify', now);
    const user = token && this.users.storedUser(token.userId);
    if (!token || !user || normalizeEmail(user.email) !== normalizeEmail(token.email)) return null;
    for (const t of this.ofUser(token.userId, 'verify')) this.tokens.delete(t.digest);
    this.users.changeStoredUser(user.id, { emailVerifiedAt: now });
    return user.id;
  }

  async changeEmail(digest: string, now: number, mail?: (change: EmailChange) => readonly OutboxMessage[]): Promise<EmailChange | null> {
    const token = this.live(digest, 'change', now);
    const user = token && this.users.storedUser(token.userId);
    if (!token || !user) return null;
    this.users.assertEmailFree(token.email, user.id);
    const change = { userId: user.id, previousEmail: user.email, email: token.email };
    this.users.outbox.addNow(mail?.(change));
    this.dropUserNow(user.id);
    this.users.changeStoredUser(user.id, { email: token.email, emailVerifiedAt: now });
    return change;
  }

  /** Ends every link of the user, with no await (an account deletion's part). */
  dropUserNow(userId: number): void {
    for (const t of this.tokens.values()) if (t.userId === userId) this.tokens.delete(t.digest);
  }

  private live(digest: string, purpose: StoredEmailToken['purpose'], now: number): StoredEmailToken | undefined {
    const token = this.tokens.get(digest);
    return token && token.purpose === purpose && token.expiresAt > now ? token : undefined;
  }

  private ofUser(userId: number, purpose: StoredEmailToken['purpose']): StoredEmailToken[] {
    return [...this.tokens.values()].filter((t) => t.userId === userId && t.purpose === purpose);
  }
}
