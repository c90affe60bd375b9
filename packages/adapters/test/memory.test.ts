import { MemoryUserRepository } from '../src';
import { userRepositoryContract } from './user-repository.contract';

userRepositoryContract('in-memory', async () => ({ repository: new MemoryUserRepository() }), { persistent: false });
