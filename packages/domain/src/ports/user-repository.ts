import type { User } from '../user';

export type UserFilter = Partial<User>;
export type UserChanges = Partial<Omit<User, 'id'>>;

/** A page of users: at most `limit` of them, after skipping `offset`. */
export interface UserPage {
  limit: number;
  offset?: number;
}

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
  /** Users in increasing id order; RangeError when limit or offset is not a whole number >= 0. */
  listUsers(page: UserPage): Promise<User[]>;
}
