import { NoResultFound } from '../kernel/errors';
import type { User } from './user';
import type { UserFilter, UserRepository } from './user-repository';

/** The user matching the filter, or null where the contract's port raises NoResultFound. */
export async function findUserOrNull(users: UserRepository, filter: UserFilter): Promise<User | null> {
  try {
    return await users.findUserBy(filter);
  } catch (error) {
    if (error instanceof NoResultFound) return null;
    throw error;
  }
}
