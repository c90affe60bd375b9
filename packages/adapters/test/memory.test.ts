import { MemoryPasswordResetTokenRepository, MemoryUserRepository } from '../src';
import { passwordResetTokenRepositoryContract } from './password-reset-token-repository.contract';
import { userRepositoryContract } from './user-repository.contract';

userRepositoryContract('in-memory', async () => ({ repository: new MemoryUserRepository() }), { persistent: false });

passwordResetTokenRepositoryContract('in-memory', async () => {
  const users = new MemoryUserRepository();
  return { users, tokens: new MemoryPasswordResetTokenRepository(users) };
});
