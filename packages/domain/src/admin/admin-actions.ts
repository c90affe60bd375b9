import type { AccountLifecycle } from '../account/account-lifecycle';
import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import { NoResultFound } from '../kernel/errors';
import { parseEmail } from '../kernel/email';
import type { PasswordResets } from '../passwords/password-resets';
import type { SecondFactorStatus } from '../second-factor/second-factors';
import type { SecondFactorCapability } from '../second-factor/unconfigured-second-factors';
import type { Session } from '../sessions/session';
import type { SessionManager } from '../sessions/session-manager';
import { findUserOrNull } from '../users/find-user';
import type { User } from '../users/user';
import type { UserRepository } from '../users/user-repository';
import type { ApiKey } from './api-key';
import { apiKeyActor } from './api-key';
import type { ApiKeys } from './api-keys';
import { InvalidApiKeyError, ReadOnlyApiKeyError, UnknownUserIdError } from './admin-errors';

/** A program with a valid key, and the client context its calls are recorded with (the key as actor). */
export interface AdminCaller {
  key: ApiKey;
  client: ClientContext;
}

export interface AdminUserView {
  user: User;
  registeredAt: number | null;
  /** Live sessions, most recently used first. */
  sessions: Session[];
  secondFactor: SecondFactorStatus;
}

export interface AdminUserPage {
  users: User[];
  /** The id to page after for the next page; null on the last. */
  next: number | null;
}

export interface AdminActionsDeps {
  /** The keys; without them every call is refused as unauthenticated. */
  keys?: ApiKeys;
  users: UserRepository;
  sessions: SessionManager;
  passwords: PasswordResets;
  account: AccountLifecycle;
  secondFactor: SecondFactorCapability;
  audit: AuditRecorder;
}

/**
 * What programs may do through the admin API, each call an audit event naming its key
 * (`admin_api_call`, actor `api_key:<id>`), and the changes it makes recorded with that
 * actor too (a session revoked by an administrator, an account deleted…).
 */
export class AdminActions {
  constructor(private readonly deps: AdminActionsDeps) {}

  /** The caller of a Bearer key; InvalidApiKeyError, or ReadOnlyApiKeyError for a change asked with a read-only key. */
  async authenticate(bearer: string | undefined, change: boolean, client: ClientContext = {}): Promise<AdminCaller> {
    if (!this.deps.keys) throw new InvalidApiKeyError();
    const key = await this.deps.keys.authenticate(bearer);
    const caller = { key, client: { ...client, actor: apiKeyActor(key) } };
    if (change && key.readOnly) {
      await this.deps.audit.record('admin_api_refused', caller.client, {});
      throw new ReadOnlyApiKeyError();
    }
    return caller;
  }

  /** Users in id order after `afterId`, or the one of `email`. */
  async listUsers(caller: AdminCaller, query: { email?: string; limit: number; afterId?: number }): Promise<AdminUserPage> {
    await this.called(caller);
    if (query.email !== undefined) {
      const user = await findUserOrNull(this.deps.users, { email: parseEmail(query.email) });
      return { users: user && user.id > (query.afterId ?? 0) ? [user] : [], next: null };
    }
    // One more than asked tells whether another page follows.
    const users = await this.deps.users.listUsers({ limit: query.limit + 1, afterId: query.afterId ?? 0 });
    const page = users.slice(0, query.limit);
    return { users: page, next: users.length > query.limit ? page.at(-1)!.id : null };
  }

  async user(caller: AdminCaller, id: number): Promise<AdminUserView> {
    const user = await this.userOf(id);
    await this.called(caller, user);
    const [registeredAt, sessions, secondFactor] = await Promise.all([
      this.deps.account.registeredAt(id),
      this.deps.sessions.list(id),
      this.deps.secondFactor.status(id),
    ]);
    return { user, registeredAt, sessions, secondFactor };
  }

  /** Ends every session of the user; how many ended. */
  async revokeSessions(caller: AdminCaller, id: number): Promise<number> {
    const user = await this.userOf(id);
    await this.called(caller, user);
    return this.deps.sessions.revokeAsAdmin(user.id, undefined, caller.client);
  }

  /** A reset token for the user (a support desk hands it over), as `latchkey reset-token` issues it. */
  async issueResetToken(caller: AdminCaller, id: number): Promise<{ user: User; token: string }> {
    const user = await this.userOf(id);
    await this.called(caller, user);
    return this.deps.passwords.issue(user.email, caller.client);
  }

  /** Removes the user's second factor, ending their sessions and pending logins; false when they had none. */
  async resetSecondFactor(caller: AdminCaller, id: number): Promise<boolean> {
    const user = await this.userOf(id);
    await this.called(caller, user);
    return this.deps.secondFactor.resetByAdmin(user.id, caller.client);
  }

  /** Deletes the account; UnknownUserIdError when it is gone already. */
  async deleteUser(caller: AdminCaller, id: number): Promise<void> {
    const user = await this.userOf(id);
    await this.called(caller, user);
    if (!(await this.deps.account.deleteUserAsAdmin(user, caller.client))) throw new UnknownUserIdError(id);
  }

  private called(caller: AdminCaller, user?: User): Promise<void> {
    return this.deps.audit.record('admin_api_call', caller.client, user ? { userId: user.id, email: user.email } : {});
  }

  private async userOf(id: number): Promise<User> {
    try {
      return await this.deps.users.findUserBy({ id });
    } catch (error) {
      if (error instanceof NoResultFound) throw new UnknownUserIdError(id);
      throw error;
    }
  }
}
