import type { AccountRepository, ChangeMessages, OutboxMessage, Session } from '@latchkey/domain';
import { messagesOf } from '@latchkey/domain';
import type { MemoryAuditLog } from './memory-audit-log';
import type { MemoryEmailTokenRepository } from './memory-email-token-repository';
import type { MemoryPasskeyRepository } from './memory-passkey-repository';
import type { MemoryPasswordResetTokenRepository } from './memory-password-reset-token-repository';
import type { MemorySessionRepository } from './memory-session-repository';
import type { MemoryUserRepository } from './memory-user-repository';

export interface MemoryAccountStores {
  users: MemoryUserRepository;
  sessions: MemorySessionRepository;
  resetTokens: MemoryPasswordResetTokenRepository;
  emailTokens: MemoryEmailTokenRepository;
  passkeys?: MemoryPasskeyRepository;
  audit?: MemoryAuditLog;
}

/**
 * Account changes across the memory stores. Each method runs with no await between its
 * check and its writes (the stores' methods called here do their work before their first
 * await), so it is atomic as a transaction would be.
 */
export class MemoryAccountRepository implements AccountRepository {
  constructor(private readonly stores: MemoryAccountStores) {}

  async changePassword(userId: number, currentHash: string, newHash: string, keepSessionId: string, mail?: ChangeMessages<Session[]>): Promise<Session[] | null> {
    const { users, sessions } = this.stores;
    const user = users.storedUser(userId);
    if (user?.hashedPassword !== currentHash) return null;
    const others = sessions.othersOf(userId, keepSessionId);
    users.outbox.addNow(messagesOf(mail, others.map((session) => ({ ...session }))));
    users.replaceNow({ ...user, hashedPassword: newHash });
    return sessions.endNow(others);
  }

  async deleteAccount(userId: number, email: string, emailDigest: string, currentHash?: string, mail?: readonly OutboxMessage[]): Promise<boolean> {
    const { users, sessions, resetTokens, emailTokens, passkeys, audit } = this.stores;
    const user = users.storedUser(userId);
    if (!user || (currentHash !== undefined && user.hashedPassword !== currentHash)) return false;
    users.outbox.addNow(mail);
    void sessions.endAll(userId);
    resetTokens.dropUserNow(userId);
    emailTokens.dropUserNow(userId);
    passkeys?.dropUserNow(userId);
    users.deleteNow(userId);
    audit?.replaceEmail(userId, email, emailDigest);
    return true;
  }

  async markVerified(userId: number, at: number, mail?: readonly OutboxMessage[]): Promise<boolean> {
    if (!this.stores.users.storedUser(userId)) return false;
    this.stores.users.outbox.addNow(mail);
    this.stores.users.changeStoredUser(userId, { emailVerifiedAt: at });
    return true;
  }

  async registeredAt(userId: number): Promise<number | null> {
    return this.stores.users.createdAtOf(userId);
  }
}
