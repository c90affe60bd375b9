import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import { parseEmail } from '../kernel/email';
import { UserAlreadyExistsError } from '../kernel/errors';
import type { PasswordPolicy } from '../passwords/password-policy';
import type { PasswordHasher } from '../ports/password-hasher';
import type { WebhookEvents } from '../webhooks/webhook-events';
import { findUserOrNull } from './find-user';
import type { User } from './user';
import type { UserRepository } from './user-repository';

export interface RegistrationDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  audit: AuditRecorder;
  /** The user.created event, written with the user. */
  events?: WebhookEvents;
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
    const hashedPassword = await hasher.hash(password);
    const created = await this.deps.events?.prepare('user.created');
    const user = await users.addUser(address, hashedPassword, created?.wanted ? (made) => created.messages({ user_id: made.id, email: made.email }) : undefined);
    created?.committed();
    await audit.record('register', client, { userId: user.id, email: address });
    return user;
  }
}
