import type { User } from '../user';

export type UserFilter = Partial<User>;
export type UserChanges = Partial<Omit<User, 'id'>>;

/**
 * Storage of users (the original's DB class). Email comparisons ignore case and
 * surrounding spaces; adding a second user with the same email raises
 * UserAlreadyExistsError, even when two adds race.
 */
export interface UserRepository {
  addUser(email: string, hashedPassword: string): Promise<User>;
  /** First user matching every key; NoResultFound when none; InvalidRequestError for a bad filter. */
  findUserBy(filter: UserFilter): Promise<User>;
  /** Applies the changes to the user found by id; UnknownAttributeError changes nothing. */
  updateUser(userId: number, changes: UserChanges): Promise<void>;
}
