import type { OutboxMessage } from '../outbox/outbox-message';
import type { User } from './user';

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
  /** Adds the user; `mail` (a verification request) is written in the same atomic step, or not at all. */
  addUser(email: string, hashedPassword: string, mail?: readonly OutboxMessage[]): Promise<User>;
  /** First user matching every key; NoResultFound when none; InvalidRequestError for a bad filter. */
  findUserBy(filter: UserFilter): Promise<User>;
  /** Applies the changes to the user found by id; UnknownAttributeError changes nothing. */
  updateUser(userId: number, changes: UserChanges): Promise<void>;
  /**
   * Replaces the password hash only while it is still `currentHash`, in one conditional
   * write (a stronger hash of the same password must not undo a concurrent change);
   * false when it no longer is.
   */
  rehashPassword(userId: number, currentHash: string, newHash: string): Promise<boolean>;
  /** Users in increasing id order; RangeError when limit or offset is not a whole number >= 0. */
  listUsers(page: UserPage): Promise<User[]>;
}
