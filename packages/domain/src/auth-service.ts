import { randomUUID } from 'node:crypto';
import {
  DependencyUnavailableError,
  InvalidCredentialsError,
  NoResultFound,
  UnknownUserError,
  UserAlreadyExistsError,
} from './kernel/errors';
import { AuditRecorder } from './audit/audit-recorder';
import type { ClientContext } from './kernel/client-context';
import type { LoginAttempt, LoginThrottle } from './login/login-throttle';
import type { AuditLog, AuthEventType } from './ports/audit-log';
import { PasswordPolicy } from './passwords/password-policy';
import type { Clock } from './kernel/clock';
import { systemClock } from './kernel/clock';
import type { PasswordHasher } from './ports/password-hasher';
import type { UserFilter, UserRepository } from './users/user-repository';
import { PasswordResets } from './passwords/password-resets';
import type { ResetMail } from './passwords/password-resets';
import type { ResetThrottle } from './passwords/reset-throttle';
import type { PasswordResetTokenRepository } from './passwords/reset-token-repository';
import { newSecret } from './kernel/secrets';
import { SecondFactorStateError } from './second-factor/second-factor-errors';
import type { Enrolment, SecondFactorDeps, SecondFactorStatus } from './second-factor/second-factors';
import { SecondFactors } from './second-factor/second-factors';
import type { Session } from './sessions/session';
import { SessionManager } from './sessions/session-manager';
import type { AuthenticatedSession, SessionRepository } from './sessions/session-repository';
import type { SessionLimits } from './sessions/session-rules';
import { DEFAULT_SESSION_LIMITS, sessionEndsAt } from './sessions/session-rules';
import type { User } from './users/user';
import { parseEmail, parseEmailOrNull } from './kernel/email';
import { AccountLifecycle } from './account/account-lifecycle';
import type { AccountLifecycleDeps } from './account/account-lifecycle';
import { NO_ACCOUNT_STORAGE } from './account/no-account-storage';

export interface SessionSettings extends SessionLimits {
  resetTokenTtlMs: number;
  /** Reset tokens a user may hold at once; a new one drops the oldest beyond it. */
  resetTokensPerUser: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  ...DEFAULT_SESSION_LIMITS,
  resetTokenTtlMs: 30 * 60_000,
  resetTokensPerUser: 3,
};

export interface AuthServiceDeps {
  users: UserRepository;
  /** The live reset tokens of each user. */
  resetTokens: PasswordResetTokenRepository;
  /** Sessions, many per user; on the same storage as the users (credential checks join them). */
  sessions: SessionRepository;
  hasher: PasswordHasher;
  clock?: Clock;
  policy?: PasswordPolicy;
  /** Locks out repeated failed logins; none when absent. */
  throttle?: LoginThrottle;
  /** Limits reset requests per email and per client address; none when absent. */
  resetThrottle?: ResetThrottle;
  /** Records registrations, logins, logouts and password resets; nothing when absent. */
  audit?: AuditLog;
  /**
   * Told when an event could not be recorded. The change it describes is done (a user
   * registered, a password changed): the request still answers what happened.
   */
  onAuditFailure?: (error: unknown, event: { type: AuthEventType; userId: number | null }) => void;
  settings?: Partial<SessionSettings>;
  /** Account lifecycle: verification, change of password and email, deletion, notices. */
  account?: Pick<AccountLifecycleDeps, 'accounts' | 'emailTokens' | 'outbox' | 'resendThrottle' | 'settings'>;
  /** TOTP and recovery codes; users cannot enrol one when absent. */
  secondFactor?: SecondFactorDeps;
}

export interface LoginResult {
  user: User;
  /** The cookie's secret: given to the client once, stored only as a digest. */
  sessionId: string;
  session: Session;
}

/** The original's Auth class: registration, login, sessions and password resets. */
export class AuthService {
  private readonly users: UserRepository;
  private readonly hasher: PasswordHasher;
  private readonly clock: Clock;
  private readonly policy: PasswordPolicy;
  private readonly throttle?: LoginThrottle;
  private readonly resetThrottle?: ResetThrottle;
  private readonly resets: PasswordResets;
  private readonly audit: AuditRecorder;
  private readonly sessions: SessionManager;
  readonly settings: SessionSettings;
  private readonly secondFactors?: SecondFactors;
  private dummyHash?: Promise<string>;
  private readonly lifecycle: AccountLifecycle;

  constructor(deps: AuthServiceDeps) {
    this.users = deps.users;
    this.hasher = deps.hasher;
    this.clock = deps.clock ?? systemClock;
    this.policy = deps.policy ?? new PasswordPolicy();
    this.throttle = deps.throttle;
    this.audit = new AuditRecorder(deps.audit, this.clock, deps.onAuditFailure);
    this.settings = { ...DEFAULT_SESSION_SETTINGS, ...deps.settings };
    this.sessions = new SessionManager(deps.sessions, this.settings, this.clock, this.audit);
    this.resetThrottle = deps.resetThrottle;
    if (deps.secondFactor) {
      const services = { users: this.users, hasher: this.hasher, sessions: this.sessions, audit: this.audit, clock: this.clock };
      this.secondFactors = new SecondFactors(deps.secondFactor, services);
    }
    this.resets = new PasswordResets({
      users: this.users,
      tokens: deps.resetTokens,
      hasher: this.hasher,
      policy: this.policy,
      clock: this.clock,
      settings: this.settings,
      changePassword: (user, hashedPassword, client) => this.sessions.changePassword(user.id, hashedPassword, client, this.lifecycle.resetNotice(user, client)),
    });
    this.lifecycle = new AccountLifecycle({
      ...(deps.account ?? NO_ACCOUNT_STORAGE),
      users: this.users,
      hasher: this.hasher,
      policy: this.policy,
      clock: this.clock,
      audit: this.audit,
      throttle: this.throttle,
      register: (email, password, client) => this.registerUser(email, password, client),
    });
  }

  /** The account lifecycle (account/): sign-up, verification, changes of password and email, deletion. */
  get account(): AccountLifecycle {
    return this.lifecycle;
  }

  hashPassword(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  generateUuid(): string {
    return randomUUID();
  }

  async registerUser(email: string, password: string, client: ClientContext = {}): Promise<User> {
    const address = parseEmail(email);
    this.policy.check(password);
    if (await this.findOrNull({ email: address })) {
      throw new UserAlreadyExistsError(address);
    }
    const user = await this.users.addUser(address, await this.hashPassword(password));
    await this.record('register', client, { userId: user.id, email: address });
    return user;
  }

  async validLogin(email: string, password: string): Promise<boolean> {
    return (await this.authenticate(email, password)).verified !== null;
  }

  /**
   * Checks the password and opens a new session. InvalidCredentialsError for a wrong
   * password or an unknown email alike; TooManyAttemptsError, before any hashing, while
   * the account or the client's address is locked out.
   */
  async login(email: string, password: string, client: ClientContext = {}): Promise<LoginResult> {
    let attempt: LoginAttempt | undefined;
    try {
      attempt = await this.throttle?.reserve(email, client);
    } catch (error) {
      await this.record(error instanceof DependencyUnavailableError ? 'login_unavailable' : 'login_throttled', client, { email });
      throw error;
    }
    const { found, verified: user } = await this.authenticate(email, password).catch(async (error: unknown) => {
      await attempt?.abandoned();
      throw error;
    });
    if (!user) {
      await this.record('login_failed', client, { userId: found?.id, email });
      throw new InvalidCredentialsError();
    }
    // Account lifecycle: an address not yet verified (EMAIL_VERIFICATION=required) is
    // refused as a wrong password is, after the same work, and keeps its throttle unit.
    if (this.lifecycle.blocksLogin(user)) {
      await this.record('login_unverified', client, { userId: user.id, email });
      throw new InvalidCredentialsError();
    }
    // --- Second factor: a user who has one gets a pending login (SecondFactorRequiredError), no session.
    if (await this.secondFactors?.isEnabled(user.id)) {
      await attempt?.succeeded();
      throw await this.secondFactors!.beginLogin(user, client);
    }
    // --- end of the second factor's step.
    // The password may have changed while it was being checked: the session is opened only
    // against the hash it was checked with, so a reset that came first wins.
    const opened = await this.sessions.open(user, client).catch(async (error: unknown) => {
      await attempt?.abandoned();
      throw error;
    });
    if (!opened) {
      await this.record('login_failed', client, { userId: user.id, email });
      throw new InvalidCredentialsError();
    }
    await attempt?.succeeded();
    await this.record('login_succeeded', client, { userId: user.id, email });
    return { user, sessionId: opened.secret, session: opened.session };
  }

  /** Opens a new session for the user of the email, leaving the others; null for an unknown email. */
  async createSession(email: string): Promise<string | null> {
    const address = parseEmailOrNull(email);
    if (address === null) return null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const user = await this.findOrNull({ email: address });
      if (!user) return null;
      const opened = await this.sessions.open(user);
      if (opened) return opened.secret;
    }
    throw new Error('The password keeps changing: no session was opened');
  }

  async getUserFromSessionId(sessionId: string | null | undefined): Promise<User | null> {
    return (await this.sessions.authenticate(sessionId))?.user ?? null;
  }

  /** The live session of a cookie's secret with its user, or null. */
  authenticateSession(sessionId: string | null | undefined): Promise<AuthenticatedSession | null> {
    return this.sessions.authenticate(sessionId);
  }

  /** Ends every session of the user, as the seed's `session_id = None` did. */
  async destroySession(userId: number, client: ClientContext = {}): Promise<void> {
    await this.sessions.endAll(userId, 'logout', client);
  }

  /** Ends the one session of this cookie secret (a logout); false when it opens none. */
  async logout(sessionId: string | null | undefined, client: ClientContext = {}): Promise<boolean> {
    const found = await this.sessions.authenticate(sessionId);
    return found !== null && this.sessions.end(found.user.id, found.session.id, 'logout', client);
  }

  /** The user's live sessions, most recently used first. */
  listSessions(userId: number): Promise<Session[]> {
    return this.sessions.list(userId);
  }

  /** The owner ends one of their sessions by its public id; false when it is none of theirs. */
  revokeSession(userId: number, sessionId: string, client: ClientContext = {}): Promise<boolean> {
    return this.sessions.end(userId, sessionId, 'revoked_by_owner', client);
  }

  /** The owner ends every session but the one they use; how many ended. */
  revokeOtherSessions(userId: number, currentSessionId: string, client: ClientContext = {}): Promise<number> {
    return this.sessions.endOthers(userId, currentSessionId, client);
  }

  /** An administrator ends one session of the user (by id) or all of them; how many ended. */
  async revokeSessionsAsAdmin(userId: number, sessionId?: string, client: ClientContext = {}): Promise<number> {
    if (sessionId === undefined) return this.sessions.endAll(userId, 'revoked_by_admin', client);
    return (await this.sessions.end(userId, sessionId, 'revoked_by_admin', client)) ? 1 : 0;
  }

  /** Deletes at most `limit` expired sessions; how many were. */
  deleteExpiredSessions(limit: number): Promise<number> {
    return this.sessions.deleteExpired(limit);
  }

  /** When an unused session would end: the earlier of its absolute and idle limits. */
  sessionEndsAt(session: Session): number {
    return sessionEndsAt(session, this.settings);
  }

  async getResetPasswordToken(email: string): Promise<string> {
    return (await this.issuePasswordReset(email)).token;
  }

  /**
   * A client's reset request: counted by the reset throttle (TooManyResetRequestsError
   * past its limits), then a token is issued; UnknownUserError when no user has the email.
   */
  async requestPasswordReset(email: string, client: ClientContext = {}): Promise<{ user: User; token: string }> {
    const address = parseEmail(email);
    await this.reserveResetRequest(address, client);
    return this.issueResetFor(address, client);
  }

  /** Counts a reset request against the throttle, for callers that issue the token later. */
  async reserveResetRequest(email: string, client: ClientContext = {}): Promise<void> {
    await this.resetThrottle?.reserve(email, client);
  }

  /**
   * Issues a reset token for the user of this email, without the throttle (the request
   * was counted already, or an operator asks); UnknownUserError when none. The user's
   * other live tokens keep working; `mail` makes the emails stored with the token, in one step.
   */
  issuePasswordReset(email: string, client: ClientContext = {}, mail?: ResetMail): Promise<{ user: User; token: string }> {
    return this.issueResetFor(parseEmail(email), client, mail);
  }

  private async issueResetFor(email: string, client: ClientContext, mail?: ResetMail): Promise<{ user: User; token: string }> {
    const user = await this.findOrNull({ email });
    await this.record('reset_requested', client, { userId: user?.id, email });
    if (!user) throw new UnknownUserError();
    return { user, token: await this.resets.issue(user, mail) };
  }

  /**
   * Sets a new password with a reset token. When an email is given the token must
   * have been issued for it. Using a token ends all of the user's tokens and sessions.
   */
  async updatePassword(resetToken: string, password: string, email?: string, client: ClientContext = {}): Promise<User> {
    const user = await this.resets.redeem(resetToken, password, email === undefined ? undefined : parseEmail(email), client);
    await this.record('password_changed', client, { userId: user.id, email: user.email });
    this.lifecycle.deliverMail();
    return user;
  }

  // The second factor (second-factor/): each method delegates to SecondFactors.

  /** Completes a pending login with a TOTP or recovery code: a new session, opened with the second factor. */
  async completeSecondFactorLogin(pendingToken: string, code: string, client: ClientContext = {}): Promise<LoginResult> {
    const { user, opened } = await this.requireSecondFactors().completeLogin(pendingToken, code, client);
    return { user, sessionId: opened.secret, session: opened.session };
  }

  startSecondFactorEnrolment(user: User): Promise<Enrolment> {
    return this.requireSecondFactors().startEnrolment(user);
  }

  enableSecondFactor(user: User, code: string, currentSessionId: string, client: ClientContext = {}): Promise<string[]> {
    return this.requireSecondFactors().enable(user, code, currentSessionId, client);
  }

  removeSecondFactor(user: User, password: string, code: string, currentSessionId: string, client: ClientContext = {}): Promise<void> {
    return this.requireSecondFactors().remove(user, password, code, currentSessionId, client);
  }

  replaceRecoveryCodes(user: User, code: string, client: ClientContext = {}): Promise<string[]> {
    return this.requireSecondFactors().replaceRecoveryCodes(user, code, client);
  }

  async secondFactorStatus(userId: number): Promise<SecondFactorStatus> {
    return this.secondFactors ? this.secondFactors.status(userId) : { enabled: false, recoveryCodesLeft: 0 };
  }

  /** An operator removes the user's second factor; every session ends. False when there was none. */
  resetSecondFactor(userId: number, client: ClientContext = {}): Promise<boolean> {
    return this.requireSecondFactors().resetByAdmin(userId, client);
  }

  deleteExpiredPendingLogins(limit: number): Promise<number> {
    return this.secondFactors ? this.secondFactors.deleteExpiredPendingLogins(limit) : Promise.resolve(0);
  }

  private requireSecondFactors(): SecondFactors {
    if (!this.secondFactors) throw new SecondFactorStateError('second factors are not configured');
    return this.secondFactors;
  }

  /**
   * The user of the email (found) and, when the password is right, the user (verified);
   * in about the same time whether the email is known or not.
   */
  private async authenticate(email: string, password: string): Promise<{ found: User | null; verified: User | null }> {
    // An email no account can have is answered as an unknown one, after the same hashing.
    const address = parseEmailOrNull(email);
    const user = address === null ? null : await this.findOrNull({ email: address });
    if (!user) {
      await this.hasher.verify(password, await this.getDummyHash());
      return { found: null, verified: null };
    }
    if (!(await this.hasher.verify(password, user.hashedPassword))) return { found: user, verified: null };
    if (this.hasher.needsRehash(user.hashedPassword)) {
      const hashedPassword = await this.hashPassword(password);
      // A reset may have landed meanwhile: then the password checked is no longer the user's.
      if (!(await this.users.rehashPassword(user.id, user.hashedPassword, hashedPassword))) return { found: user, verified: null };
      return { found: user, verified: { ...user, hashedPassword } };
    }
    return { found: user, verified: user };
  }

  private record(type: AuthEventType, client: ClientContext, who: { userId?: number; email?: string }): Promise<void> {
    return this.audit.record(type, client, who);
  }

  private getDummyHash(): Promise<string> {
    // A refused hash (overload) must not be kept: the next login tries again.
    this.dummyHash ??= this.hasher.hash(newSecret()).catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    return this.dummyHash;
  }

  private async findOrNull(filter: UserFilter): Promise<User | null> {
    try {
      return await this.users.findUserBy(filter);
    } catch (error) {
      if (error instanceof NoResultFound) return null;
      throw error;
    }
  }
}

