import { randomUUID } from 'node:crypto';
import type { AccountLifecycle } from './account/account-lifecycle';
import type { AdminActions } from './admin/admin-actions';
import type { AuditRecorder } from './audit/audit-recorder';
import type { SessionSettings } from './auth-settings';
import type { ClientContext } from './kernel/client-context';
import { parseEmail, parseEmailOrNull } from './kernel/email';
import type { LoginFlow } from './login/login-flow';
import type { PasswordCheck } from './login/password-check';
import type { PasskeyCapability } from './passkeys/unconfigured-passkeys';
import type { PasswordResets } from './passwords/password-resets';
import type { PasswordHasher } from './ports/password-hasher';
import type { SecondFactorCapability } from './second-factor/unconfigured-second-factors';
import type { SessionManager } from './sessions/session-manager';
import type { TokenCapability } from './tokens/unconfigured-tokens';
import { findUserOrNull } from './users/find-user';
import type { Registration } from './users/registration';
import type { User } from './users/user';
import type { UserRepository } from './users/user-repository';

/** The capabilities createAuth builds, each the home of its own rules. */
export interface AuthParts {
  users: UserRepository;
  hasher: PasswordHasher;
  audit: AuditRecorder;
  settings: SessionSettings;
  registration: Registration;
  passwordCheck: PasswordCheck;
  sessions: SessionManager;
  logins: LoginFlow;
  passwords: PasswordResets;
  account: AccountLifecycle;
  secondFactor: SecondFactorCapability;
  tokens: TokenCapability;
  admin: AdminActions;
  passkeys: PasskeyCapability;
}

/**
 * The original's Auth class (SPEC A3), one method per seed method, and the capabilities
 * behind it: `logins`, `sessions`, `passwords`, `account`, `secondFactor`, `tokens`. Built by createAuth.
 */
export class AuthService {
  constructor(private readonly parts: AuthParts) {}

  /** Logins as ordered steps: password, verified address, second factor. */
  get logins(): LoginFlow {
    return this.parts.logins;
  }

  /** Sessions: checking a cookie, listing, ending, sweeping. */
  get sessions(): SessionManager {
    return this.parts.sessions;
  }

  /** Reset tokens: requests (throttled), issuing, redeeming. */
  get passwords(): PasswordResets {
    return this.parts.passwords;
  }

  /** The account lifecycle: sign-up, verification, changes of password and email, deletion. */
  get account(): AccountLifecycle {
    return this.parts.account;
  }

  /** TOTP and recovery codes (refused with SecondFactorStateError when none is configured). */
  get secondFactor(): SecondFactorCapability {
    return this.parts.secondFactor;
  }

  /** Signed tokens for sessions and the published key set (unavailable when none are configured). */
  get tokens(): TokenCapability {
    return this.parts.tokens;
  }

  /** What programs may do through the admin API, with their keys. */
  get admin(): AdminActions {
    return this.parts.admin;
  }

  /** Passkeys: registering, listing, removing, signing in, and as a second factor. */
  get passkeys(): PasskeyCapability {
    return this.parts.passkeys;
  }

  get settings(): SessionSettings {
    return this.parts.settings;
  }

  hashPassword(password: string): Promise<string> {
    return this.parts.hasher.hash(password);
  }

  generateUuid(): string {
    return randomUUID();
  }

  registerUser(email: string, password: string, client: ClientContext = {}): Promise<User> {
    return this.parts.registration.register(email, password, client);
  }

  async validLogin(email: string, password: string): Promise<boolean> {
    return (await this.parts.passwordCheck.check(email, password)).verified !== null;
  }

  /** Opens a new session for the user of the email, leaving the others; null for an unknown email. */
  async createSession(email: string): Promise<string | null> {
    const address = parseEmailOrNull(email);
    if (address === null) return null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const user = await findUserOrNull(this.parts.users, { email: address });
      if (!user) return null;
      const opened = await this.parts.sessions.open(user);
      if (opened) return opened.secret;
    }
    throw new Error('The password keeps changing: no session was opened');
  }

  async getUserFromSessionId(sessionId: string | null | undefined): Promise<User | null> {
    return (await this.parts.sessions.authenticate(sessionId))?.user ?? null;
  }

  /** Ends every session of the user, as the seed's `session_id = None` did. */
  async destroySession(userId: number, client: ClientContext = {}): Promise<void> {
    await this.parts.sessions.endAll(userId, 'logout', client);
  }

  async getResetPasswordToken(email: string): Promise<string> {
    return (await this.parts.passwords.issue(email)).token;
  }

  /**
   * Sets a new password with a reset token. When an email is given the token must
   * have been issued for it. Using a token ends all of the user's tokens and sessions.
   */
  async updatePassword(resetToken: string, password: string, email?: string, client: ClientContext = {}): Promise<User> {
    const user = await this.parts.passwords.redeem(resetToken, password, email === undefined ? undefined : parseEmail(email), client);
    await this.parts.audit.record('password_changed', client, { userId: user.id, email: user.email });
    this.parts.account.deliverMail();
    return user;
  }
}
