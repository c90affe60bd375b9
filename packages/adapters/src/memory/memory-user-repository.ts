import type { OutboxMessage, User, UserChanges, UserFilter, UserPage, UserRepository } from '@latchkey/domain';
import {
  NoResultFound,
  UserAlreadyExistsError,
  assertValidChanges,
  assertValidFilter,
  checkedPage,
  newUser,
  normalizeEmail,
  userMatches,
} from '@latchkey/domain';
import { MemoryOutboxStore } from './memory-outbox-store';

/**
 * A UserRepository in a Map: for tests and for apps that need no persistence. It holds the
 * outbox of the memory stores built on it, so that their changes write mail in their step.
 */
export class MemoryUserRepository implements UserRepository {
  private readonly rows = new Map<number, User>();
  private readonly createdAt = new Map<number, number>();
  private nextId = 1;

  constructor(readonly outbox = new MemoryOutboxStore()) {}

  async addUser(email: string, hashedPassword: string, mail?: readonly OutboxMessage[]): Promise<User> {
    this.assertEmailFree(email);
    this.outbox.addNow(mail);
    const user = newUser(this.nextId++, email, hashedPassword);
    this.rows.set(user.id, user);
    this.createdAt.set(user.id, Date.now());
    return { ...user };
  }

  async findUserBy(filter: UserFilter): Promise<User> {
    assertValidFilter(filter);
    for (const user of this.rows.values()) {
      if (userMatches(user, filter)) return { ...user };
    }
    throw new NoResultFound();
  }

  async updateUser(userId: number, changes: UserChanges): Promise<void> {
    assertValidChanges(changes);
    const user = await this.findUserBy({ id: userId });
    if (changes.email !== undefined) this.assertEmailFree(changes.email, userId);
    this.rows.set(userId, { ...user, ...changes });
  }

  async rehashPassword(userId: number, currentHash: string, newHash: string): Promise<boolean> {
    const user = this.rows.get(userId);
    if (user?.hashedPassword !== currentHash) return false;
    this.rows.set(userId, { ...user, hashedPassword: newHash });
    return true;
  }

  async listUsers(page: UserPage): Promise<User[]> {
    const { limit, offset } = checkedPage(page);
    // Ids only grow and a Map keeps insertion order, so this is id order.
    return [...this.rows.values()].slice(offset, offset + limit).map((user) => ({ ...user }));
  }

  /**
   * The stored user, read with no await: adapters that share this storage (reset tokens)
   * check and write in one synchronous step, which is what makes them atomic here.
   */
  storedUser(userId: number): User | undefined {
    return this.rows.get(userId);
  }

  /** Changes a stored user with no await (see storedUser); an unknown id changes nothing. */
  changeStoredUser(userId: number, changes: UserChanges): void {
    const user = this.rows.get(userId);
    if (user) this.rows.set(userId, { ...user, ...changes });
  }

  /** Puts a whole user back with no await (see storedUser). */
  replaceNow(user: User): void {
    this.rows.set(user.id, { ...user });
  }

  /** Deletes a user with no await (see storedUser). */
  deleteNow(userId: number): void {
    this.rows.delete(userId);
    this.createdAt.delete(userId);
  }

  /** When the user was added (epoch milliseconds); null for an unknown id. */
  createdAtOf(userId: number): number | null {
    return this.createdAt.get(userId) ?? null;
  }

  /** UserAlreadyExistsError when another user than `exceptId` has the email (no await). */
  assertEmailFree(email: string, exceptId?: number): void {
    const key = normalizeEmail(email);
    for (const user of this.rows.values()) {
      if (user.id !== exceptId && normalizeEmail(user.email) === key) {
        throw new UserAlreadyExistsError(email);
      }
    }
  }
}
