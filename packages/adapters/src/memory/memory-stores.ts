import { MemorySessionRepository } from './memory-session-repository';
import { MemoryUserRepository } from './memory-user-repository';

/** Users and their sessions in memory, on one store (a session opens against its user's row). */
export function memoryStores(): { users: MemoryUserRepository; sessions: MemorySessionRepository } {
  const users = new MemoryUserRepository();
  return { users, sessions: new MemorySessionRepository(users) };
}
