import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import { InvalidEmailTokenError, MailUnavailableError, NoResultFound, UserAlreadyExistsError, ValidationError, WrongPasswordError } from '../kernel/errors';
import type { MailMessage } from '../kernel/mail-message';
import type { LoginThrottle } from '../login/login-throttle';
import type { PasswordPolicy } from '../passwords/password-policy';
import type { ResetThrottle } from '../passwords/reset-throttle';
import type { Clock } from '../kernel/clock';
import type { PasswordHasher } from '../ports/password-hasher';
import type { UserRepository } from '../users/user-repository';
import { digestSecret, newSecret } from '../kernel/secrets';
import type { AuthenticatedSession } from '../sessions/session-repository';
import type { SessionManager } from '../sessions/session-manager';
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
import type { Outbox } from '../outbox/outbox';
import type { JsonObject, OutboxMessage } from '../outbox/outbox-message';
import { messagesOf } from '../outbox/outbox-message';
import type { Session } from '../sessions/session';
import type { OutboxHandler } from '../outbox/outbox-worker';
import { mailMessage } from '../outbox/mail-outbox';
import { clientOf, numberField, stringField } from '../outbox/payload-fields';
import type { AccountRepository } from './account-repository';
import type { WebhookEvents } from '../webhooks/webhook-events';
import { noWebhookEvents } from '../webhooks/webhook-events';
import type { Registration } from '../users/registration';
import { SIGNUP_ATTEMPT_TOPIC, VERIFICATION_REQUEST_TOPIC, signupAttempt, verificationRequest } from './account-outbox';

export interface AccountLifecycleSettings extends AccountEmailSettings {
  verification: EmailVerificationMode;
  /** Live links of one purpose a user may hold; a new one drops the oldest beyond it. */
  tokensPerUser: number;
  /** The security notices sent (when an outbox is given). */
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
  /**
   * Links and notices are written to it, in the transaction of the change they report
   * (its worker sends them, with retries); without it no notice is sent and no email can change.
   */
  outbox?: Outbox;
  /** The contract's registration (UserAlreadyExistsError for a known address). */
  registration: Pick<Registration, 'register'>;
  settings?: Partial<AccountLifecycleSettings>;
  /** The events of the lifecycle's changes, written with them. */
  events?: WebhookEvents;
  /** Ends sessions on changes of password: its session.revoked events. */
  sessionEvents?: { revokedEvents: SessionManager['revokedEvents'] };
}

/** The digest that replaces a deleted account's email in the audit trail. */
export function auditEmailDigest(email: string): string {
  return `sha256:${digestSecret(normalizeEmail(email))}`;
}

/**
 * The account after sign-up: verifying its address, changing its password and address,
 * deleting it, and the notices each change sends. Every change is one atomic call of a
 * repository, which writes the change's emails to the outbox in the same step: a change
 * commits with its notice or not at all, and the outbox's worker sends it after the answer.
 */
export class AccountLifecycle {
  readonly settings: AccountLifecycleSettings;
  private readonly events: WebhookEvents;

  constructor(private readonly deps: AccountLifecycleDeps) {
    this.settings = { ...DEFAULT_ACCOUNT_LIFECYCLE, ...deps.settings };
    this.events = deps.events ?? noWebhookEvents(deps.users, deps.clock);
  }

  get verification(): EmailVerificationMode {
    return this.settings.verification;
  }

  /**
   * Registration as the API answers it: the address as given (trimmed). With `required`,
   * a registered address answers as a new one, after the same work (a hash, an insert
   * attempt, one outbox row), and its owner is told by email; otherwise UserAlreadyExistsError.
   * A new account and the request for its verification link commit together.
   */
  async signUp(email: string, password: string, client: ClientContext = {}): Promise<string> {
    if (this.verification === 'off') return (await this.deps.registration.register(email, password, client)).email;
    const address = parseEmail(email);
    this.deps.policy.check(password);
    // `optional` keeps the contract's registration: a known address is refused before any hashing.
    if (this.verification === 'optional' && (await this.findOrNull(address))) throw new UserAlreadyExistsError(address);
    const hashedPassword = await this.deps.hasher.hash(password);
    try {
      const verification = this.mail(() => [verificationRequest('sign_up', { email: address })]);
      const created = await this.events.prepare('user.created');
      const mail = created.wanted ? (made: User) => [...verification, ...created.messages({ user_id: made.id, email: made.email })] : verification;
      const user = await this.deps.users.addUser(address, hashedPassword, mail);
      created.committed();
      await this.deps.audit.record('register', client, { userId: user.id, email: address });
      this.deps.outbox?.wake();
    } catch (error) {
      if (!(error instanceof UserAlreadyExistsError) || this.verification !== 'required') throw error;
      await this.deps.audit.record('signup_existing', client, { email: address });
      await this.deps.outbox?.add([signupAttempt(address, this.context(client))]);
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
    const verified = await this.events.prepare('user.email_verified');
    const userId = token
      ? await this.deps.emailTokens.verify(digestSecret(token), this.deps.clock.now(), (address) => verified.messages({ user_id: address.userId, email: address.email }))
      : null;
    if (userId === null) throw new InvalidEmailTokenError();
    verified.committed();
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
    // One row whoever asks: the worker finds out whether the account exists and wants a link.
    await this.deps.outbox?.add([verificationRequest('resend', 'user' in who ? { userId: who.user.id } : { email })]);
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
    const notice = this.notice('password_changed', () => passwordChangedNotice(user.email, this.settings, this.context(client), false));
    const changed = await this.events.prepare('user.password_changed');
    const revoked = await this.deps.sessionEvents?.revokedEvents('password_changed', user.email);
    const messages = (others: Session[]) => [
      ...notice,
      ...changed.messages({ user_id: user.id, email: user.email, reason: 'change' }),
      ...messagesOf(revoked?.messages, others),
    ];
    const ended = await this.deps.accounts.changePassword(user.id, user.hashedPassword, hashedPassword, session.id, messages);
    // Another change landed since the check: the password given is no longer the current one.
    if (ended === null) throw new WrongPasswordError();
    changed.committed();
    revoked?.committed();
    for (const other of ended) await this.deps.audit.record('session_ended_by_change', client, { userId: other.userId });
    await this.deps.audit.record('password_changed', client, { userId: user.id, email: user.email });
    this.deliverMail();
    return ended.length;
  }

  /**
   * Sends a link to the new address (the change happens only when it is used) and a notice
   * to the current one. Whether the new address is free is decided when the link is used.
   */
  async requestEmailChange(user: User, password: string, newEmail: string, client: ClientContext = {}): Promise<string> {
    const address = parseEmail(newEmail);
    if (!this.deps.outbox) throw new MailUnavailableError();
    if (normalizeEmail(address) === normalizeEmail(user.email)) throw new ValidationError('new_email is the current address');
    await this.checkPassword(user, password, client);
    const notice = this.notice('email_changed', () => emailChangeRequestedNotice(user.email, address, this.settings, this.context(client)));
    await this.issue(user.id, 'change', address, (token) => [mailMessage('email_change_link', emailChangeConfirmation(address, token, this.settings)), ...notice]);
    await this.deps.audit.record('email_change_requested', client, { userId: user.id, email: user.email });
    this.deliverMail();
    return address;
  }

  /** Uses a change-of-email link; UserAlreadyExistsError when the address was taken meanwhile. */
  async confirmEmailChange(token: string, client: ClientContext = {}): Promise<EmailChange> {
    let change: EmailChange | null;
    const context = this.context(client);
    const changed = await this.events.prepare('user.email_changed');
    const notice = (made: EmailChange) => [
      ...this.notice('email_changed', () => emailChangedNotice(made.previousEmail, made.email, this.settings, context)),
      ...changed.messages({ user_id: made.userId, email: made.email, previous_email: made.previousEmail }),
    ];
    try {
      change = token ? await this.deps.emailTokens.changeEmail(digestSecret(token), this.deps.clock.now(), notice) : null;
    } catch (error) {
      if (error instanceof UserAlreadyExistsError) await this.deps.audit.record('email_change_refused', client, { email: error.email });
      throw error;
    }
    if (!change) throw new InvalidEmailTokenError();
    changed.committed();
    await this.deps.audit.record('email_changed', client, { userId: change.userId, email: change.email });
    this.deliverMail();
    return change;
  }

  /** The signed-in owner deletes the account, password checked; its sessions and tokens go with it. */
  async deleteAccount(user: User, password: string, client: ClientContext = {}): Promise<void> {
    await this.checkPassword(user, password, client);
    const digest = auditEmailDigest(user.email);
    const deleted = await this.events.prepare('user.deleted');
    const messages = [...this.deletedNotice(user, client), ...deleted.messages({ user_id: user.id, email: user.email, by: 'owner' })];
    if (!(await this.deps.accounts.deleteAccount(user.id, user.email, digest, user.hashedPassword, messages))) throw new WrongPasswordError();
    deleted.committed();
    await this.deleted(user, digest, client);
  }

  /** An operator deletes the account of the email; false when there is none. */
  async deleteAccountAsAdmin(email: string, client: ClientContext = {}): Promise<boolean> {
    const user = await this.findOrNull(parseEmail(email));
    return user !== null && this.deleteUserAsAdmin(user, client);
  }

  /** An operator (or a program through the admin API) deletes this account; false when it is gone already. */
  async deleteUserAsAdmin(user: User, client: ClientContext = {}): Promise<boolean> {
    const digest = auditEmailDigest(user.email);
    const deleted = await this.events.prepare('user.deleted');
    const messages = [...this.deletedNotice(user, client), ...deleted.messages({ user_id: user.id, email: user.email, by: 'admin' })];
    if (!(await this.deps.accounts.deleteAccount(user.id, user.email, digest, undefined, messages))) return false;
    deleted.committed();
    await this.deleted(user, digest, client);
    return true;
  }

  /** An operator marks the address of the email verified; false when no account has it. */
  async markVerified(email: string, client: ClientContext = {}): Promise<boolean> {
    const user = await this.findOrNull(parseEmail(email));
    if (!user) return false;
    const verified = await this.events.prepare('user.email_verified');
    if (!(await this.deps.accounts.markVerified(user.id, this.deps.clock.now(), verified.messages({ user_id: user.id, email: user.email })))) return false;
    verified.committed();
    await this.deps.audit.record('email_verified', client, { userId: user.id, email: user.email });
    return true;
  }

  registeredAt(userId: number): Promise<number | null> {
    return this.deps.accounts.registeredAt(userId);
  }

  /** The notice of a password reset with a link, for the reset's own transaction (see AuthService). */
  resetNotice(user: User, client: ClientContext = {}): OutboxMessage[] {
    return this.notice('password_reset', () => passwordChangedNotice(user.email, this.settings, this.context(client), true));
  }

  /** A change that carried mail committed: its delivery starts now. */
  deliverMail(): void {
    this.deps.outbox?.wake();
  }

  /** Resolves once the outbox has delivered what is due, within its deadline (shutdown, tests). */
  async drain(): Promise<void> {
    await this.deps.outbox?.drain?.();
  }

  /** The outbox's handlers of the lifecycle's follow-ups: verification links, signup-attempt notices. */
  outboxHandlers(): Record<string, OutboxHandler> {
    return {
      [VERIFICATION_REQUEST_TOPIC]: { deliver: (message) => this.sendVerification(message.payload) },
      [SIGNUP_ATTEMPT_TOPIC]: { deliver: (message) => this.sendSignupAttempt(message.payload) },
    };
  }

  private async deleted(user: User, digest: string, client: ClientContext): Promise<void> {
    await this.deps.audit.record('account_deleted', client, { userId: user.id, email: digest });
    this.deliverMail();
  }

  private deletedNotice(user: User, client: ClientContext): OutboxMessage[] {
    return this.notice('account_deleted', () => accountDeletedNotice(user.email, this.settings, this.context(client)));
  }

  /**
   * The owner's current password, counted by the login throttle as a login of the account:
   * the step-up of every sensitive change made while signed in (WrongPasswordError).
   */
  async checkPassword(user: User, password: string, client: ClientContext): Promise<void> {
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

  /** A verification request's work: a new link, stored with its email, for an account still unverified. */
  private async sendVerification(payload: JsonObject): Promise<void> {
    const userId = numberField(payload, 'userId');
    const email = stringField(payload, 'email');
    const user = userId !== undefined ? await this.findByIdOrNull(userId) : email !== undefined ? await this.findOrNull(email) : null;
    if (!this.deps.outbox || !user || user.emailVerifiedAt !== null) return;
    await this.issue(user.id, 'verify', user.email, (token) => [mailMessage('verification_link', verificationEmail(user.email, token, this.settings))]);
    await this.deps.audit.record('verification_sent', {}, { userId: user.id, email: user.email });
  }

  private async sendSignupAttempt(payload: JsonObject): Promise<void> {
    const email = stringField(payload, 'email');
    const user = email === undefined ? null : await this.findOrNull(email);
    if (!this.deps.outbox || !user) return;
    const context: NoticeContext = { at: numberField(payload, 'at') ?? this.deps.clock.now(), client: clientOf(payload) };
    await this.deps.outbox.add([mailMessage('signup_attempt', signupAttemptEmail(user.email, this.settings, context))]);
  }

  /** A new link of the user, stored with the emails `mail` makes of its token, in one step. */
  private async issue(userId: number, purpose: EmailTokenPurpose, email: string, mail: (token: string) => OutboxMessage[]): Promise<void> {
    const token = newSecret();
    const now = this.deps.clock.now();
    await this.deps.emailTokens.issue(
      { userId, digest: digestSecret(token), purpose, email, expiresAt: now + this.settings.tokenTtlMs },
      { now, keep: this.settings.tokensPerUser },
      mail(token),
    );
  }

  /** The notice of `kind` as an outbox message, none when there is no outbox or the notice is switched off. */
  private notice(kind: SecurityNotice, compose: () => MailMessage): OutboxMessage[] {
    return this.deps.outbox && this.settings.notices.includes(kind) ? [mailMessage(kind, compose())] : [];
  }

  /** Follow-up work to store with a change: none without an outbox. */
  private mail(compose: () => OutboxMessage[]): OutboxMessage[] {
    return this.deps.outbox ? compose() : [];
  }

  private context(client: ClientContext): NoticeContext {
    return { at: this.deps.clock.now(), client };
  }

  private async findByIdOrNull(id: number): Promise<User | null> {
    try {
      return await this.deps.users.findUserBy({ id });
    } catch (error) {
      if (error instanceof NoResultFound) return null;
      throw error;
    }
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
