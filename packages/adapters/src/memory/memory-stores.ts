import { MemoryPasswordResetTokenRepository } from './memory-password-reset-token-repository';
import { MemorySessionRepository } from './memory-session-repository';
import { MemoryUserRepository } from './memory-user-repository';

export interface MemoryStores {
  users: MemoryUserRepository;
  sessions: MemorySessionRepository;
  resetTokens: MemoryPasswordResetTokenRepository;
}

/**
 * Users, their sessions and reset tokens in memory, on one store: a session opens and a
 * token is used against its user's row, as they do in one database.
 */
export function memoryStores(users = new MemoryUserRepository()): MemoryStores {
  return { users, sessions: new MemorySessionRepository(users), resetTokens: new MemoryPasswordResetTokenRepository(users) };
}
