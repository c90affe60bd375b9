import { MemoryAccountRepository } from './memory-account-repository';
import type { MemoryAuditLog } from './memory-audit-log';
import { MemoryEmailTokenRepository } from './memory-email-token-repository';
import type { MemoryOutboxStore } from './memory-outbox-store';
import { MemoryPasskeyRepository } from './memory-passkey-repository';
import { MemoryPasswordResetTokenRepository } from './memory-password-reset-token-repository';
import { MemorySessionRepository } from './memory-session-repository';
import { MemoryUserRepository } from './memory-user-repository';

export interface MemoryStores {
  users: MemoryUserRepository;
  sessions: MemorySessionRepository;
  resetTokens: MemoryPasswordResetTokenRepository;
  emailTokens: MemoryEmailTokenRepository;
  accounts: MemoryAccountRepository;
  /** Passkeys, deleted with their account (named apart from createAuth's `passkeys` settings). */
  passkeyRepository: MemoryPasskeyRepository;
  /** The outbox their changes write mail to (the users repository's). */
  outbox: MemoryOutboxStore;
}

/**
 * Users, their sessions and tokens in memory, on one store: a session opens and a token is
 * used against its user's row, as they do in one database. An account deletion rewrites
 * the emails of `audit` when given. Changes that carry mail write it to `outbox` in the same step.
 */
export function memoryStores(users = new MemoryUserRepository(), audit?: MemoryAuditLog): MemoryStores {
  const sessions = new MemorySessionRepository(users);
  const resetTokens = new MemoryPasswordResetTokenRepository(users);
  const emailTokens = new MemoryEmailTokenRepository(users);
  const passkeyRepository = new MemoryPasskeyRepository(users.outbox);
  const accounts = new MemoryAccountRepository({ users, sessions, resetTokens, emailTokens, passkeys: passkeyRepository, audit });
  return { users, sessions, resetTokens, emailTokens, accounts, passkeyRepository, outbox: users.outbox };
}
