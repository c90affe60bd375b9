import type { WebhookEvents } from '../webhooks/webhook-events';
import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import type { AuthEventType } from '../ports/audit-log';
import type { Clock } from '../kernel/clock';
import type { PasswordHasher } from '../ports/password-hasher';
import type { UserRepository } from '../users/user-repository';
import { digestSecret, newSecret } from '../kernel/secrets';
import type { LoginStrength } from '../sessions/session';
import type { OpenedSession, SessionManager } from '../sessions/session-manager';
import { IP_MAX, USER_AGENT_MAX, truncated } from '../sessions/session-rules';
import type { User } from '../users/user';
import { newRecoveryCodes, normalizeRecoveryCode, recoveryCodeDigest } from './recovery-codes';
import type { SecretBox } from '../ports/secret-box';
import type { PendingLogin, SecondFactor, SecondFactorSettings } from './second-factor';
import { DEFAULT_SECOND_FACTOR_SETTINGS } from './second-factor';
import {
  InvalidSecondFactorCodeError,
  NoPendingLoginError,
  SecondFactorRequiredError,
  SecondFactorStateError,
  TooManySecondFactorFailuresError,
} from './second-factor-errors';
import type { PendingLoginRepository, SecondFactorRepository } from './second-factor-repository';
import type { SecondFactorThrottle } from './second-factor-throttle';
import { isTotpCode, matchingStep, newTotpSecret, otpauthUri } from './totp';
import { findUserOrNull } from '../users/find-user';

/** The storage and settings a deployment gives the second factor. */
export interface SecondFactorDeps {
  factors: SecondFactorRepository;
  pendingLogins: PendingLoginRepository;
  box: SecretBox;
  /** Counts wrong codes per account; none when absent. */
  throttle?: SecondFactorThrottle;
  settings?: Partial<SecondFactorSettings>;
}

interface Services {
  users: UserRepository;
  hasher: PasswordHasher;
  sessions: SessionManager;
  audit: AuditRecorder;
  clock: Clock;
  /** The second_factor.enabled and .disabled events, written with the change. */
  events?: WebhookEvents;
}

/** What an enrolment shows once: the secret and the URI an authenticator app reads. */
export interface Enrolment {
  secret: string;
  uri: string;
}

export interface SecondFactorStatus {
  enabled: boolean;
  recoveryCodesLeft: number;
}

/** Codes longer than this are no code: they are refused before any work. */
const CODE_MAX = 64;

/**
 * TOTP second factor and recovery codes: enrolment, removal, and the pending login a
 * right password leads to for a user who has one.
 */
export class SecondFactors {
  readonly settings: SecondFactorSettings;
  private readonly factors: SecondFactorRepository;
  private readonly pendingLogins: PendingLoginRepository;
  private readonly box: SecretBox;
  private readonly throttle?: SecondFactorThrottle;

  constructor(
    deps: SecondFactorDeps,
    private readonly services: Services,
  ) {
    this.factors = deps.factors;
    this.pendingLogins = deps.pendingLogins;
    this.box = deps.box;
    this.throttle = deps.throttle;
    this.settings = { ...DEFAULT_SECOND_FACTOR_SETTINGS, ...deps.settings };
  }

  async isEnabled(userId: number): Promise<boolean> {
    return (await this.factors.find(userId))?.enabledAt != null;
  }

  async status(userId: number): Promise<SecondFactorStatus> {
    const enabled = await this.isEnabled(userId);
    return { enabled, recoveryCodesLeft: enabled ? await this.factors.countRecoveryCodes(userId) : 0 };
  }

  /** A new secret waiting for its first code; a restarted enrolment replaces the one before. */
  async startEnrolment(user: User): Promise<Enrolment> {
    const secret = newTotpSecret();
    const sealed = this.box.seal(secret, sealContext(user.id));
    if (!(await this.factors.startEnrolment(user.id, sealed, this.now()))) {
      throw new SecondFactorStateError('a second factor is enabled already');
    }
    return { secret, uri: otpauthUri(secret, user.email, this.settings.issuer) };
  }

  /**
   * Enables the enrolment with a current code and answers its recovery codes (shown this
   * once). Every other session of the user ends.
   */
  enable(user: User, code: string, currentSessionId: string, client: ClientContext = {}): Promise<string[]> {
    return this.evenly(async () => {
      const factor = await this.factors.find(user.id);
      if (!factor || factor.enabledAt !== null) throw new SecondFactorStateError('no enrolment is waiting for a code');
      const codes = newRecoveryCodes();
      const digests = codes.map((c) => recoveryCodeDigest(normalizeRecoveryCode(c)!));
      const enabled = await this.services.events?.prepare('second_factor.enabled');
      await this.verify(user.id, client, async () => {
        const step = matchingStep(this.box.open(factor.sealedSecret, sealContext(user.id)), code.trim(), this.now());
        return step !== null && this.factors.enable(user.id, factor.sealedSecret, step, digests, this.now(), enabled?.messages({ user_id: user.id, email: user.email }));
      });
      enabled?.committed();
      await this.endOtherAccess(user.id, currentSessionId, client);
      await this.record('second_factor_enrolled', client, user.id);
      return codes;
    });
  }

  /** A new set of recovery codes for a current TOTP code; the old set stops working. */
  replaceRecoveryCodes(user: User, code: string, client: ClientContext = {}): Promise<string[]> {
    return this.evenly(async () => {
      const factor = await this.enabledFactor(user.id);
      await this.verify(user.id, client, () => this.useCode(factor, code, false, client));
      const codes = newRecoveryCodes();
      const digests = codes.map((c) => recoveryCodeDigest(normalizeRecoveryCode(c)!));
      if (!(await this.factors.replaceRecoveryCodes(user.id, digests))) throw new SecondFactorStateError('no second factor is enabled');
      await this.record('recovery_codes_replaced', client, user.id);
      return codes;
    });
  }

  /** Removes the factor for the password and a code (TOTP or recovery); every other session ends. */
  remove(user: User, password: string, code: string, currentSessionId: string, client: ClientContext = {}): Promise<void> {
    return this.evenly(async () => {
      const factor = await this.enabledFactor(user.id);
      await this.verify(
        user.id,
        client,
        async () => (await this.services.hasher.verify(password, user.hashedPassword)) && this.useCode(factor, code, true, client),
        () => new InvalidSecondFactorCodeError('invalid password or code'),
      );
      const disabled = await this.services.events?.prepare('second_factor.disabled');
      if (!(await this.factors.remove(user.id, disabled?.messages({ user_id: user.id, email: user.email, by: 'owner' })))) {
        throw new SecondFactorStateError('no second factor is enabled');
      }
      disabled?.committed();
      await this.endOtherAccess(user.id, currentSessionId, client);
      await this.record('second_factor_removed', client, user.id);
    });
  }

  /** An operator removes the user's factor: every session and pending login ends. */
  async resetByAdmin(userId: number, client: ClientContext = {}): Promise<boolean> {
    const disabled = await this.services.events?.prepare('second_factor.disabled');
    const messages = disabled?.wanted ? disabled.messages({ user_id: userId, email: await this.services.events!.emailOf(userId), by: 'admin' }) : undefined;
    const removed = await this.factors.remove(userId, messages);
    disabled?.committed();
    await this.pendingLogins.endAll(userId);
    await this.services.sessions.endAll(userId, 'revoked_by_admin', client);
    if (removed) await this.record('second_factor_reset_by_admin', client, userId);
    return removed;
  }

  /** The answer to a right password of a user with a factor: a pending login, no session. */
  async beginLogin(user: User, client: ClientContext = {}): Promise<SecondFactorRequiredError> {
    const token = newSecret();
    const now = this.now();
    const pending: PendingLogin = {
      tokenDigest: digestSecret(token),
      userId: user.id,
      credential: user.hashedPassword,
      createdAt: now,
      expiresAt: now + this.settings.pendingLoginTtlMs,
      ip: truncated(client.ip, IP_MAX),
      userAgent: truncated(client.userAgent, USER_AGENT_MAX),
    };
    await this.pendingLogins.add(pending, this.settings.pendingLoginsPerUser);
    return new SecondFactorRequiredError(token, Math.ceil(this.settings.pendingLoginTtlMs / 1000));
  }

  /**
   * Completes a pending login with a TOTP or recovery code: the pending login is used up
   * and a new session opens (its secret is new), while the password is still the one
   * the login checked. The wrong code that exhausts the account's counter ends it.
   */
  completeLogin(token: string, code: string, client: ClientContext = {}): Promise<{ user: User; opened: OpenedSession }> {
    return this.evenly(() => this.complete(token, (factor) => this.useCode(factor, code, true, client), 'second_factor', client));
  }

  /**
   * Completes a pending login with another proof than a code (a passkey's assertion, which
   * `prove` checks against the pending login's user): counted, used up and opened as a code is.
   */
  completeLoginWith(token: string, prove: (userId: number) => Promise<boolean>, strength: LoginStrength, client: ClientContext = {}): Promise<{ user: User; opened: OpenedSession }> {
    return this.complete(token, (factor) => prove(factor.userId), strength, client);
  }

  /** The user a live pending login waits for; null when it is unknown or has expired. */
  async pendingUserId(token: string): Promise<number | null> {
    return (await this.pendingLogins.find(digestSecret(token), this.now()))?.userId ?? null;
  }

  private async complete(
    token: string,
    check: (factor: SecondFactor) => Promise<boolean>,
    strength: LoginStrength,
    client: ClientContext,
  ): Promise<{ user: User; opened: OpenedSession }> {
    const digest = digestSecret(token);
    const pending = await this.pendingLogins.find(digest, this.now());
    const factor = pending && (await this.factors.find(pending.userId));
    if (!pending || !factor || factor.enabledAt === null) throw new NoPendingLoginError();
    const end = async () => void (await this.pendingLogins.take(digest, this.now()));
    await this.verify(pending.userId, client, () => check(factor), undefined, end);
    const taken = await this.pendingLogins.take(digest, this.now());
    const user = taken && (await this.findUser(taken.userId));
    if (!taken || !user) throw new NoPendingLoginError();
    const opened = await this.services.sessions.open({ ...user, hashedPassword: taken.credential }, client, strength);
    if (!opened) throw new NoPendingLoginError();
    await this.services.audit.record('login_succeeded', client, { userId: user.id, email: user.email });
    return { user, opened };
  }

  /** Deletes at most `limit` expired pending logins; how many were. */
  deleteExpiredPendingLogins(limit: number): Promise<number> {
    return this.pendingLogins.deleteExpired(this.now(), limit);
  }

  /**
   * Runs a code check under the account's counter of wrong codes. A wrong code keeps its
   * unit; `onExhausted` runs when the counter has none left (this code used the last one,
   * or none was left to take).
   */
  private async verify(
    userId: number,
    client: ClientContext,
    check: () => Promise<boolean>,
    refusal: () => Error = () => new InvalidSecondFactorCodeError(),
    onExhausted: () => Promise<void> = async () => {},
  ): Promise<void> {
    const attempt = await this.throttle?.reserve(userId).catch(async (error: unknown) => {
      if (error instanceof TooManySecondFactorFailuresError) await onExhausted();
      throw error;
    });
    if (await check()) {
      await attempt?.succeeded();
      return;
    }
    await this.record('second_factor_failed', client, userId);
    if (attempt?.exhausted) await onExhausted();
    throw refusal();
  }

  /** Uses a TOTP code (once: its step and earlier ones are spent) or, when allowed, a recovery code (once). */
  private async useCode(factor: SecondFactor, code: string, recoveryAllowed: boolean, client: ClientContext): Promise<boolean> {
    if (code.length > CODE_MAX) return false;
    const typed = code.trim();
    if (isTotpCode(typed)) {
      const step = matchingStep(this.box.open(factor.sealedSecret, sealContext(factor.userId)), typed, this.now());
      return step !== null && this.factors.useStep(factor.userId, step);
    }
    const recovery = recoveryAllowed ? normalizeRecoveryCode(typed) : null;
    if (recovery === null) return false;
    const used = await this.factors.useRecoveryCode(factor.userId, recoveryCodeDigest(recovery), this.now());
    if (used) await this.record('recovery_code_used', client, factor.userId);
    return used;
  }

  private async enabledFactor(userId: number): Promise<SecondFactor> {
    const factor = await this.factors.find(userId);
    if (!factor || factor.enabledAt === null) throw new SecondFactorStateError('no second factor is enabled');
    return factor;
  }

  /** A change of factor ends whatever was opened under the one before: other sessions, pending logins. */
  private async endOtherAccess(userId: number, currentSessionId: string, client: ClientContext): Promise<void> {
    await this.pendingLogins.endAll(userId);
    await this.services.sessions.revokeOthers(userId, currentSessionId, client);
  }

  /**
   * A right code and a wrong one answer after the same time: the work after a check
   * (a session opened, or a failure recorded) would otherwise tell them apart.
   */
  private async evenly<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      const left = this.settings.codeCheckMs - (performance.now() - started);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    }
  }

  private findUser(id: number): Promise<User | null> {
    return findUserOrNull(this.services.users, { id });
  }

  private record(type: AuthEventType, client: ClientContext, userId: number): Promise<void> {
    return this.services.audit.record(type, client, { userId });
  }

  private now(): number {
    return this.services.clock.now();
  }
}

/** A sealed secret opens only for its own user. */
function sealContext(userId: number): string {
  return `second_factor:${userId}`;
}
