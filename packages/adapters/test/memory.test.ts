import { MemoryPasswordResetTokenRepository, MemoryUserRepository } from '../src';
import { passwordResetTokenRepositoryContract, userRepositoryContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

userRepositoryContract(vitestApi, 'in-memory', async () => ({ repository: new MemoryUserRepository() }), { persistent: false });

passwordResetTokenRepositoryContract(vitestApi, 'in-memory', async () => {
  const users = new MemoryUserRepository();
  return { users, tokens: new MemoryPasswordResetTokenRepository(users) };
});
