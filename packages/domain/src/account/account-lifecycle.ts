import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import { InvalidEmailTokenError, MailUnavailableError, NoResultFound, UserAlreadyExistsError, ValidationError, WrongPasswordError } from '../kernel/errors';
import type { LoginThrottle } from '../login/login-throttle';
import type { PasswordPolicy } from '../passwords/password-policy';
import type { ResetThrottle } from '../passwords/reset-throttle';
import type { Clock } from '../kernel/clock';
import type { MailMessage, Mailer } from '../ports/mailer';
import type { PasswordHasher } from '../ports/password-hasher';
import type { UserRepository } from '../users/user-repository';
import { digestSecret, newSecret } from '../kernel/secrets';
import type { AuthenticatedSession } from '../sessions/session-repository';
import type { User } from '../users/user';
import { normalizeEmail } from '../users/user';
import { parseEmail } from '../kernel/email';
import type { EmailChange, EmailTokenPurpose, EmailTokenRepository } from './email-token-repository';
import type { EmailVerificationMode } from './email-verification-mode';
import type { AccountEmailSettings, NoticeContext, SecurityNotice } from '../notifications/account-emails';
import {
  SECURITY_NOTICES,
  accountDeletedNotice,
  emailChangeConfirmation,
  emailChangeRequestedNotice,
  emailChangedNotice,
  passwordChangedNotice,
  signupAttemptEmail,
  verificationEmail,
} from '../notifications/account-emails';
import type { AccountRepository } from './account-repository';
import type { Registration } from '../users/registration';

export interface AccountLifecycleSettings extends AccountEmailSettings {
  verification: EmailVerificationMode;
  /** Live links of one purpose a user may hold; a new one drops the oldest beyond it. */
  tokensPerUser: number;
  /** The security notices sent (when a mailer is given). */
  notices: readonly SecurityNotice[];
}

export const DEFAULT_ACCOUNT_LIFECYCLE: AccountLifecycleSettings = {
  verification: 'off',
  tokensPerUser: 3,
  notices: SECURITY_NOTICES,
  productName: 'Latchkey',
  tokenTtlMs: 24 * 3600_000,
};

export interface AccountLifecycleDeps {
  users: UserRepository;
  accounts: AccountRepository;
  emailTokens: EmailTokenRepository;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  clock: Clock;
  audit: AuditRecorder;
  /** Counts wrong current passwords as failed logins of the account. */
  throttle?: LoginThrottle;
  /** Limits verification resends per email and per client address. */
  resendThrottle?: ResetThrottle;
  /** Links and notices go through it; without it no notice is sent and no email can change. */
  mailer?: Mailer;
  /** The contract's registration (UserAlreadyExistsError for a known address). */
  registration: Pick<Registration, 'register'>;
  /** Told of a failure of work done after the answer (an email that could not be sent). */
  onError?: (error: unknown) => void;
  settings?: Partial<AccountLifecycleSettings>;
}

/** The digest that replaces a deleted account's email in the audit trail. */
export function auditEmailDigest(email: string): string {
  return `sha256:${digestSecret(normalizeEmail(email))}`;
}

/**
 * The account after sign-up: verifying its address, changing its password and address,
 * deleting it, and the notices each change sends. Every change is one atomic call of a
 * repository; emails are sent after the answer, through the mailer.
 */
export class AccountLifecycle {
  readonly settings: AccountLifecycleSettings;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: AccountLifecycleDeps) {
    this.settings = { ...DEFAULT_ACCOUNT_LIFECYCLE, ...deps.settings };
  }

  get verification(): EmailVerificationMode {
    return this.settings.verification;
  }

  /**
   * Registration as the API answers it: the address as given (trimmed). With `required`,
   * a registered address answers as a new one, after the same work (a hash and an insert
   * attempt), and its owner is told by email; otherwise UserAlreadyExistsError.
   */
  async signUp(email: string, password: string, client: ClientContext = {}): Promise<string> {
    if (this.verification !== 'required') {
      const user = await this.deps.registration.register(email, password, client);
      if (this.verification === 'optional') this.later(() => this.sendVerification(user));
      return user.email;
    }
    const address = parseEmail(email);
    this.deps.policy.check(password);
    const hashedPassword = await this.deps.hasher.hash(password);
    try {
      const user = await this.deps.users.addUser(address, hashedPassword);
      await this.deps.audit.record('register', client, { userId: user.id, email: address });
      this.later(() => this.sendVerification(user));
    } catch (error) {
      if (!(error instanceof UserAlreadyExistsError)) throw error;
      await this.deps.audit.record('signup_existing', client, { email: address });
      const context = this.context(client);
      this.later(() => this.sendSignupAttempt(address, context));
    }
    return address;
  }

  /** Whether a login with the right password is still refused: an unverified address under `required`. */
  blocksLogin(user: User): boolean {
    return this.verification === 'required' && user.emailVerifiedAt === null;
  }

  /** The profile's `email_verified`, present only when verification is not off. */
  profileFields(user: User): { email_verified?: boolean } {
    return this.verification === 'off' ? {} : { email_verified: user.emailVerifiedAt !== null };
  }

  /** Uses a verification link; the user, their address now verified. */
  async verifyEmail(token: string, client: ClientContext = {}): Promise<User> {
    const userId = token ? await this.deps.emailTokens.verify(digestSecret(token), this.deps.clock.now()) : null;
    if (userId === null) throw new InvalidEmailTokenError();
    const user = await this.deps.users.findUserBy({ id: userId });
    await this.deps.audit.record('email_verified', client, { userId, email: user.email });
    return user;
  }

  /**
   * Sends a new verification link to the signed-in user, or to the account of `email`
   * (the way out for one who cannot log in yet): counted by the resend throttle, then the
   * same answer whether the address is registered, verified or neither.
   */
  async resendVerification(who: { user: User } | { email: string }, client: ClientContext = {}): Promise<void> {
    if (this.verification === 'off') throw new ValidationError('email verification is not enabled');
    const email = 'user' in who ? who.user.email : parseEmail(who.email);
    await this.deps.resendThrottle?.reserve(email, client);
    this.later(async () => {
      const user = 'user' in who ? who.user : await this.findOrNull(email);
      if (user && user.emailVerifiedAt === null) await this.sendVerification(user);
    });
  }

  /**
   * The signed-in owner sets a new password: the current one is checked (a wrong one counts
   * as a failed login), then the hash changes and every other session ends in one step.
   */
  async changePassword(found: AuthenticatedSession, currentPassword: string, newPassword: string, client: ClientContext = {}): Promise<number> {
    const { user, session } = found;
    this.deps.policy.check(newPassword);
    await this.checkPassword(user, currentPassword, client);
    const hashedPassword = await this.deps.hasher.hash(newPassword);
    const ended = await this.deps.accounts.changePassword(user.id, user.hashedPassword, hashedPassword, session.id);
    // Another change landed since the check: the password given is no longer the current one.
    if (ended === null) throw new WrongPasswordError();
    for (const other of ended) await this.deps.audit.record('session_ended_by_change', client, { userId: other.userId });
    await this.deps.audit.record('password_changed', client, { userId: user.id, email: user.email });
    this.notice('password_changed', passwordChangedNotice(user.email, this.settings, this.context(client), false));
    return ended.length;
  }

  /**
   * Sends a link to the new address (the change happens only when it is used) and a notice
   * to the current one. Whether the new address is free is decided when the link is used.
   */
  async requestEmailChange(user: User, password: string, newEmail: string, client: ClientContext = {}): Promise<string> {
    const address = parseEmail(newEmail);
    const mailer = this.deps.mailer;
    if (!mailer) throw new MailUnavailableError();
    if (normalizeEmail(address) === normalizeEmail(user.email)) throw new ValidationError('new_email is the current address');
    await this.checkPassword(user, password, client);
    const token = await this.issue(user.id, 'change', address);
    await this.deps.audit.record('email_change_requested', client, { userId: user.id, email: user.email });
    this.later(() => mailer.send(emailChangeConfirmation(address, token, this.settings)));
    this.notice('email_changed', emailChangeRequestedNotice(user.email, address, this.settings, this.context(client)));
    return address;
  }

  /** Uses a change-of-email link; UserAlreadyExistsError when the address was taken meanwhile. */
  async confirmEmailChange(token: string, client: ClientContext = {}): Promise<EmailChange> {
    let change: EmailChange | null;
    try {
      change = token ? await this.deps.emailTokens.changeEmail(digestSecret(token), this.deps.clock.now()) : null;
    } catch (error) {
      if (error instanceof UserAlreadyExistsError) await this.deps.audit.record('email_change_refused', client, { email: error.email });
      throw error;
    }
    if (!change) throw new InvalidEmailTokenError();
    await this.deps.audit.record('email_changed', client, { userId: change.userId, email: change.email });
    this.notice('email_changed', emailChangedNotice(change.previousEmail, change.email, this.settings, this.context(client)));
    return change;
  }

  /** The signed-in owner deletes the account, password checked; its sessions and tokens go with it. */
  async deleteAccount(user: User, password: string, client: ClientContext = {}): Promise<void> {
    await this.checkPassword(user, password, client);
    const digest = auditEmailDigest(user.email);
    if (!(await this.deps.accounts.deleteAccount(user.id, user.email, digest, user.hashedPassword))) throw new WrongPasswordError();
    await this.deleted(user, digest, client);
  }

  /** An operator deletes the account of the email; false when there is none. */
  async deleteAccountAsAdmin(email: string, client: ClientContext = {}): Promise<boolean> {
    const user = await this.findOrNull(parseEmail(email));
    const digest = user && auditEmailDigest(user.email);
    if (!user || !digest || !(await this.deps.accounts.deleteAccount(user.id, user.email, digest))) return false;
    await this.deleted(user, digest, client);
    return true;
  }

  /** An operator marks the address of the email verified; false when no account has it. */
  async markVerified(email: string, client: ClientContext = {}): Promise<boolean> {
    const user = await this.findOrNull(parseEmail(email));
    if (!user || !(await this.deps.accounts.markVerified(user.id, this.deps.clock.now()))) return false;
    await this.deps.audit.record('email_verified', client, { userId: user.id, email: user.email });
    return true;
  }

  registeredAt(userId: number): Promise<number | null> {
    return this.deps.accounts.registeredAt(userId);
  }

  /** Tells the owner their password was reset with a link. */
  passwordWasReset(user: User, client: ClientContext = {}): void {
    this.notice('password_reset', passwordChangedNotice(user.email, this.settings, this.context(client), true));
  }

  /** Resolves when every email started so far has been handed to the mailer (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deleted(user: User, digest: string, client: ClientContext): Promise<void> {
    await this.deps.audit.record('account_deleted', client, { userId: user.id, email: digest });
    this.notice('account_deleted', accountDeletedNotice(user.email, this.settings, this.context(client)));
  }

  /** The owner's current password, counted by the login throttle as a login of the account. */
  private async checkPassword(user: User, password: string, client: ClientContext): Promise<void> {
    const attempt = await this.deps.throttle?.reserve(user.email, client);
    let right: boolean;
    try {
      right = await this.deps.hasher.verify(password, user.hashedPassword);
    } catch (error) {
      await attempt?.abandoned();
      throw error;
    }
    if (!right) {
      await this.deps.audit.record('reauth_failed', client, { userId: user.id, email: user.email });
      throw new WrongPasswordError();
    }
    await attempt?.succeeded();
  }

  private async sendVerification(user: User): Promise<void> {
    const mailer = this.deps.mailer;
    if (!mailer) return;
    const token = await this.issue(user.id, 'verify', user.email);
    await mailer.send(verificationEmail(user.email, token, this.settings));
    await this.deps.audit.record('verification_sent', {}, { userId: user.id, email: user.email });
  }

  private async sendSignupAttempt(address: string, context: NoticeContext): Promise<void> {
    const user = await this.findOrNull(address);
    if (user) await this.deps.mailer?.send(signupAttemptEmail(user.email, this.settings, context));
  }

  private async issue(userId: number, purpose: EmailTokenPurpose, email: string): Promise<string> {
    const token = newSecret();
    const now = this.deps.clock.now();
    await this.deps.emailTokens.issue(
      { userId, digest: digestSecret(token), purpose, email, expiresAt: now + this.settings.tokenTtlMs },
      { now, keep: this.settings.tokensPerUser },
    );
    return token;
  }

  private notice(kind: SecurityNotice, message: MailMessage): void {
    const mailer = this.deps.mailer;
    if (mailer && this.settings.notices.includes(kind)) this.later(() => mailer.send(message));
  }

  private context(client: ClientContext): NoticeContext {
    return { at: this.deps.clock.now(), client };
  }

  /** Work after the answer: its time and failures are not the request's. */
  private later(work: () => Promise<void>): void {
    const task = Promise.resolve()
      .then(work)
      .catch((error: unknown) => this.deps.onError?.(error))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  private async findOrNull(email: string): Promise<User | null> {
    try {
      return await this.deps.users.findUserBy({ email });
    } catch (error) {
      if (error instanceof NoResultFound) return null;
      throw error;
    }
  }
}
