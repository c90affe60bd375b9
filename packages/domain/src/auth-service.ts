import { randomUUID } from 'node:crypto';
import {
  DependencyUnavailableError,
  InvalidCredentialsError,
  InvalidResetTokenError,
  NoResultFound,
  UnknownUserError,
  UserAlreadyExistsError,
  ValidationError,
} from './errors';
import type { ClientContext } from './client-context';
import type { LoginThrottle } from './login-throttle';
import type { AuditLog, AuthEventType } from './ports/audit-log';
import { PasswordPolicy } from './password-policy';
import type { Clock } from './ports/clock';
import { systemClock } from './ports/clock';
import type { PasswordHasher } from './ports/password-hasher';
import type { UserFilter, UserRepository } from './ports/user-repository';
import { digestSecret, newSecret, sameDigest } from './secrets';
import type { User } from './user';
import { normalizeEmail } from './user';

export interface SessionSettings {
  /** Absolute lifetime of a session. */
  sessionTtlMs: number;
  /** A session unused for this long ends. */
  sessionIdleMs: number;
  /** Last-use time is written at most this often, to keep reads cheap. */
  sessionTouchIntervalMs: number;
  resetTokenTtlMs: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  sessionTtlMs: 7 * 24 * 3600_000,
  sessionIdleMs: 24 * 3600_000,
  sessionTouchIntervalMs: 60_000,
  resetTokenTtlMs: 30 * 60_000,
};

export interface AuthServiceDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  clock?: Clock;
  policy?: PasswordPolicy;
  /** Locks out repeated failed logins; none when absent. */
  throttle?: LoginThrottle;
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
  }

  hashPassword(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  generateUuid(): string {
    return randomUUID();
  }

  async registerUser(email: string, password: string, client: ClientContext = {}): Promise<User> {
    const address = requireEmail(email);
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
    try {
      await this.throttle?.check(email, client);
    } catch (error) {
      await this.record(error instanceof DependencyUnavailableError ? 'login_unavailable' : 'login_throttled', client, { email });
      throw error;
    }
    const { found, verified: user } = await this.authenticate(email, password);
    if (!user) {
      await this.throttle?.recordFailure(email, client);
      await this.record('login_failed', client, { userId: found?.id, email });
      throw new InvalidCredentialsError();
    }
    await this.throttle?.recordSuccess(email);
    const sessionId = await this.startSession(user);
    await this.record('login_succeeded', client, { userId: user.id, email });
    return { user, sessionId };
  }

  async createSession(email: string): Promise<string | null> {
    const user = await this.findOrNull({ email });
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
    return (await this.requestPasswordReset(email)).token;
  }

  /** Issues a reset token for the user of this email; UnknownUserError when none. */
  async requestPasswordReset(email: string, client: ClientContext = {}): Promise<{ user: User; token: string }> {
    const user = await this.findOrNull({ email });
    await this.record('reset_requested', client, { userId: user?.id, email });
    if (!user) throw new UnknownUserError();
    const token = newSecret();
    await this.users.updateUser(user.id, {
      resetToken: digestSecret(token),
      resetTokenExpiresAt: this.clock.now() + this.settings.resetTokenTtlMs,
    });
    return { user, token };
  }

  /**
   * Sets a new password with a reset token. When an email is given the token must
   * have been issued for it. Using a token also ends the user's session.
   */
  async updatePassword(resetToken: string, password: string, email?: string, client: ClientContext = {}): Promise<User> {
    const user = await this.userForResetToken(resetToken, email);
    this.policy.check(password);
    await this.users.updateUser(user.id, {
      hashedPassword: await this.hashPassword(password),
      resetToken: null,
      resetTokenExpiresAt: null,
      sessionId: null,
      sessionCreatedAt: null,
      sessionSeenAt: null,
    });
    await this.record('password_changed', client, { userId: user.id, email: user.email });
    return user;
  }

  private async userForResetToken(resetToken: string, email?: string): Promise<User> {
    if (!resetToken) throw new InvalidResetTokenError();
    const digest = digestSecret(resetToken);
    const user = await this.findOrNull({ resetToken: digest });
    const valid =
      user?.resetToken != null &&
      sameDigest(user.resetToken, digest) &&
      (user.resetTokenExpiresAt ?? 0) > this.clock.now() &&
      (email === undefined || normalizeEmail(email) === normalizeEmail(user.email));
    if (!user || !valid) throw new InvalidResetTokenError();
    return user;
  }

  /**
   * The user of the email (found) and, when the password is right, the user (verified);
   * in about the same time whether the email is known or not.
   */
  private async authenticate(email: string, password: string): Promise<{ found: User | null; verified: User | null }> {
    const user = await this.findOrNull({ email });
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

function requireEmail(email: string): string {
  const address = email.trim();
  if (!address) throw new ValidationError('email is required');
  return address;
}
