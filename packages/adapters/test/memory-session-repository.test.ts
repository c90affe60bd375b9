import { MemorySessionRepository, MemoryUserRepository } from '../src';
import { sessionRepositoryContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

sessionRepositoryContract(vitestApi, 'in-memory', async () => {
  const users = new MemoryUserRepository();
  return { users, sessions: new MemorySessionRepository(users) };
});
