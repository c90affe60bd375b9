import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import { parseEmail } from '../kernel/email';
import { UserAlreadyExistsError } from '../kernel/errors';
import type { PasswordPolicy } from '../passwords/password-policy';
import type { PasswordHasher } from '../ports/password-hasher';
import { findUserOrNull } from './find-user';
import type { User } from './user';
import type { UserRepository } from './user-repository';

export interface RegistrationDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  audit: AuditRecorder;
}

/** The contract's registration: a valid address, a password the policy accepts, one account per address. */
export class Registration {
  constructor(private readonly deps: RegistrationDeps) {}

  /** The new user; UserAlreadyExistsError (`User <email> already exists`) for a registered address. */
  async register(email: string, password: string, client: ClientContext = {}): Promise<User> {
    const { users, hasher, policy, audit } = this.deps;
    const address = parseEmail(email);
    policy.check(password);
    if (await findUserOrNull(users, { email: address })) throw new UserAlreadyExistsError(address);
    const user = await users.addUser(address, await hasher.hash(password));
    await audit.record('register', client, { userId: user.id, email: address });
    return user;
  }
}
