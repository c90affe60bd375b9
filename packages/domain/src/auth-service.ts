import { randomUUID } from 'node:crypto';
import {
  DependencyUnavailableError,
  InvalidCredentialsError,
  NoResultFound,
  UnknownUserError,
  UserAlreadyExistsError,
} from './errors';
import type { ClientContext } from './client-context';
import type { LoginAttempt, LoginThrottle } from './login-throttle';
import type { AuditLog, AuthEventType } from './ports/audit-log';
import { PasswordPolicy } from './password-policy';
import type { Clock } from './ports/clock';
import { systemClock } from './ports/clock';
import type { PasswordHasher } from './ports/password-hasher';
import type { UserFilter, UserRepository } from './ports/user-repository';
import { PasswordResets } from './passwords/password-resets';
import type { ResetThrottle } from './passwords/reset-throttle';
import type { PasswordResetTokenRepository } from './passwords/reset-token-repository';
import { digestSecret, newSecret, sameDigest } from './secrets';
import type { User } from './user';
import { normalizeEmail } from './user';
import { parseEmail, parseEmailOrNull } from './users/email';

export interface SessionSettings {
  /** Absolute lifetime of a session. */
  sessionTtlMs: number;
  /** A session unused for this long ends. */
  sessionIdleMs: number;
  /** Last-use time is written at most this often, to keep reads cheap. */
  sessionTouchIntervalMs: number;
  resetTokenTtlMs: number;
  /** Reset tokens a user may hold at once; a new one drops the oldest beyond it. */
  resetTokensPerUser: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  sessionTtlMs: 7 * 24 * 3600_000,
  sessionIdleMs: 24 * 3600_000,
  sessionTouchIntervalMs: 60_000,
  resetTokenTtlMs: 30 * 60_000,
  resetTokensPerUser: 3,
};

export interface AuthServiceDeps {
  users: UserRepository;
  /** The live reset tokens of each user. */
  resetTokens: PasswordResetTokenRepository;
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
}

export interface LoginResult {
  user: User;
  sessionId: string;
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
  private readonly audit?: AuditLog;
  private readonly onAuditFailure: NonNullable<AuthServiceDeps['onAuditFailure']>;
  readonly settings: SessionSettings;
  private dummyHash?: Promise<string>;

  constructor(deps: AuthServiceDeps) {
    this.users = deps.users;
    this.hasher = deps.hasher;
    this.clock = deps.clock ?? systemClock;
    this.policy = deps.policy ?? new PasswordPolicy();
    this.throttle = deps.throttle;
    this.audit = deps.audit;
    this.onAuditFailure = deps.onAuditFailure ?? (() => {});
    this.settings = { ...DEFAULT_SESSION_SETTINGS, ...deps.settings };
    this.resetThrottle = deps.resetThrottle;
    this.resets = new PasswordResets({
      users: this.users,
      tokens: deps.resetTokens,
      hasher: this.hasher,
      policy: this.policy,
      clock: this.clock,
      settings: this.settings,
    });
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
    await attempt?.succeeded();
    const sessionId = await this.startSession(user);
    await this.record('login_succeeded', client, { userId: user.id, email });
    return { user, sessionId };
  }

  async createSession(email: string): Promise<string | null> {
    const address = parseEmailOrNull(email);
    const user = address === null ? null : await this.findOrNull({ email: address });
    return user ? this.startSession(user) : null;
  }

  async getUserFromSessionId(sessionId: string | null | undefined): Promise<User | null> {
    if (!sessionId) return null;
    const digest = digestSecret(sessionId);
    const user = await this.findOrNull({ sessionId: digest });
    if (!user?.sessionId || !sameDigest(user.sessionId, digest)) return null;
    const now = this.clock.now();
    if (this.sessionExpired(user, now)) {
      await this.endSession(user.id);
      return null;
    }
    await this.touchSession(user, now);
    return user;
  }

  /** Logs the user out: the session no longer works. */
  async destroySession(userId: number, client: ClientContext = {}): Promise<void> {
    await this.endSession(userId);
    await this.record('logout', client, { userId });
  }

  private async endSession(userId: number): Promise<void> {
    try {
      await this.users.updateUser(userId, { sessionId: null, sessionCreatedAt: null, sessionSeenAt: null });
    } catch (error) {
      if (!(error instanceof NoResultFound)) throw error;
    }
  }

  /** True while the user's session would still open getUserFromSessionId; reads only. */
  hasActiveSession(user: User): boolean {
    return user.sessionId !== null && !this.sessionExpired(user, this.clock.now());
  }

  async getResetPasswordToken(email: string): Promise<string> {
    return (await this.issuePasswordReset(email)).token;
  }

  /**
   * A client's reset request: counted by the reset throttle (TooManyResetRequestsError
   * past its limits), then a token is issued; UnknownUserError when no user has the email.
   */
  async requestPasswordReset(email: string, client: ClientContext = {}): Promise<{ user: User; token: string }> {
    email = parseEmail(email);
    await this.reserveResetRequest(email, client);
    return this.issuePasswordReset(email, client);
  }

  /** Counts a reset request against the throttle, for callers that issue the token later. */
  async reserveResetRequest(email: string, client: ClientContext = {}): Promise<void> {
    await this.resetThrottle?.reserve(email, client);
  }

  /**
   * Issues a reset token for the user of this email, without the throttle (the request
   * was counted already, or an operator asks); UnknownUserError when none. The user's
   * other live tokens keep working.
   */
  async issuePasswordReset(email: string, client: ClientContext = {}): Promise<{ user: User; token: string }> {
    email = parseEmail(email);
    const user = await this.findOrNull({ email });
    await this.record('reset_requested', client, { userId: user?.id, email });
    if (!user) throw new UnknownUserError();
    return { user, token: await this.resets.issue(user) };
  }

  /**
   * Sets a new password with a reset token. When an email is given the token must
   * have been issued for it. Using a token ends all of the user's tokens and sessions.
   */
  async updatePassword(resetToken: string, password: string, email?: string, client: ClientContext = {}): Promise<User> {
    const user = await this.resets.redeem(resetToken, password, email === undefined ? undefined : parseEmail(email));
    await this.record('password_changed', client, { userId: user.id, email: user.email });
    return user;
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
      await this.users.updateUser(user.id, { hashedPassword });
      return { found: user, verified: { ...user, hashedPassword } };
    }
    return { found: user, verified: user };
  }

  private async record(type: AuthEventType, client: ClientContext, who: { userId?: number; email?: string }): Promise<void> {
    if (!this.audit) return;
    try {
      await this.writeEvent(type, client, who);
    } catch (error) {
      this.onAuditFailure(error, { type, userId: who.userId ?? null });
    }
  }

  private async writeEvent(type: AuthEventType, client: ClientContext, who: { userId?: number; email?: string }): Promise<void> {
    await this.audit!.record({
      type,
      occurredAt: this.clock.now(),
      userId: who.userId ?? null,
      email: who.email === undefined ? null : normalizeEmail(who.email),
      ip: client.ip || null,
      // A header of any length could come in: the trail keeps what identifies a client.
      userAgent: client.userAgent ? client.userAgent.slice(0, USER_AGENT_MAX) : null,
    });
  }

  private async startSession(user: User): Promise<string> {
    const sessionId = newSecret();
    const now = this.clock.now();
    await this.users.updateUser(user.id, {
      sessionId: digestSecret(sessionId),
      sessionCreatedAt: now,
      sessionSeenAt: now,
    });
    return sessionId;
  }

  private sessionExpired(user: User, now: number): boolean {
    const created = user.sessionCreatedAt ?? 0;
    const seen = user.sessionSeenAt ?? created;
    return now - created >= this.settings.sessionTtlMs || now - seen >= this.settings.sessionIdleMs;
  }

  private async touchSession(user: User, now: number): Promise<void> {
    if (now - (user.sessionSeenAt ?? 0) < this.settings.sessionTouchIntervalMs) return;
    await this.users.updateUser(user.id, { sessionSeenAt: now });
    user.sessionSeenAt = now;
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

const USER_AGENT_MAX = 512;
