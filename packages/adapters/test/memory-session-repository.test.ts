import { MemorySessionRepository, MemoryUserRepository } from '../src';
import { sessionRepositoryContract } from './session-repository.contract';

sessionRepositoryContract('in-memory', async () => {
  const users = new MemoryUserRepository();
  return { users, sessions: new MemorySessionRepository(users) };
});
