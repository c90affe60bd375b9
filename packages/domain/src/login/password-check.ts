import { parseEmailOrNull } from '../kernel/email';
import { newSecret } from '../kernel/secrets';
import type { PasswordHasher } from '../ports/password-hasher';
import { findUserOrNull } from '../users/find-user';
import type { User } from '../users/user';
import type { UserRepository } from '../users/user-repository';

/** The user of the email (found) and, when the password is right, the user as checked (verified). */
export interface PasswordVerdict {
  found: User | null;
  verified: User | null;
}

/**
 * The password step of every login: the same hashing work whether the email is known or
 * not, and a hash of an older cost replaced while the password is at hand.
 */
export class PasswordCheck {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async check(email: string, password: string): Promise<PasswordVerdict> {
    // An email no account can have is answered as an unknown one, after the same hashing.
    const address = parseEmailOrNull(email);
    const user = address === null ? null : await findUserOrNull(this.users, { email: address });
    if (!user) {
      await this.hasher.verify(password, await this.getDummyHash());
      return { found: null, verified: null };
    }
    if (!(await this.hasher.verify(password, user.hashedPassword))) return { found: user, verified: null };
    if (!this.hasher.needsRehash(user.hashedPassword)) return { found: user, verified: user };
    const hashedPassword = await this.hasher.hash(password);
    // A reset may have landed meanwhile: then the password checked is no longer the user's.
    if (!(await this.users.rehashPassword(user.id, user.hashedPassword, hashedPassword))) return { found: user, verified: null };
    return { found: user, verified: { ...user, hashedPassword } };
  }

  private getDummyHash(): Promise<string> {
    // A refused hash (overload) must not be kept: the next login tries again.
    this.dummyHash ??= this.hasher.hash(newSecret()).catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    return this.dummyHash;
  }
}
