import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import { DependencyUnavailableError, InvalidCredentialsError } from '../kernel/errors';
import type { AuthEventType } from '../ports/audit-log';
import type { SecondFactorCapability } from '../second-factor/unconfigured-second-factors';
import type { Session } from '../sessions/session';
import type { SessionManager } from '../sessions/session-manager';
import type { User } from '../users/user';
import type { LoginAttempt, LoginThrottle } from './login-throttle';
import type { LoginStep } from './login-step';
import type { PasswordCheck } from './password-check';

export interface LoginResult {
  user: User;
  /** The cookie's secret: given to the client once, stored only as a digest. */
  sessionId: string;
  session: Session;
}

export interface LoginFlowDeps {
  passwords: PasswordCheck;
  sessions: SessionManager;
  audit: AuditRecorder;
  /** The steps after the password, in order. */
  steps: readonly LoginStep[];
  /** Completes the challenge of the second-factor step. */
  secondFactor: SecondFactorCapability;
  /** Locks out repeated failed logins; none when absent. */
  throttle?: LoginThrottle;
}

/**
 * Every login, for the JSON API and the pages alike: the throttle's unit is reserved, the
 * password checked, then each step may stop the login or ask for more; a session opens
 * only when every step has passed.
 */
export class LoginFlow {
  constructor(private readonly deps: LoginFlowDeps) {}

  /**
   * A new session for the right password. InvalidCredentialsError for a wrong password or an
   * unknown email alike; TooManyAttemptsError, before any hashing, while the account or the
   * client's address is locked out; a step's challenge (SecondFactorRequiredError) when more is needed.
   */
  async login(email: string, password: string, client: ClientContext = {}): Promise<LoginResult> {
    const attempt = await this.reserve(email, client);
    const user = await this.checkPassword(email, password, client, attempt);
    for (const step of this.deps.steps) {
      const verdict = await step.decide(user, client);
      if (verdict.kind === 'refuse') return this.refuse(verdict.event, client, user.id, email);
      if (verdict.kind === 'challenge') {
        await attempt?.succeeded();
        throw await verdict.start();
      }
    }
    return this.openSession(user, email, client, attempt);
  }

  /** Completes a pending login with a TOTP or recovery code: a new session, opened with the second factor. */
  async completeWithSecondFactor(pendingToken: string, code: string, client: ClientContext = {}): Promise<LoginResult> {
    const { user, opened } = await this.deps.secondFactor.completeLogin(pendingToken, code, client);
    return { user, sessionId: opened.secret, session: opened.session };
  }

  private async reserve(email: string, client: ClientContext): Promise<LoginAttempt | undefined> {
    try {
      return await this.deps.throttle?.reserve(email, client);
    } catch (error) {
      await this.record(error instanceof DependencyUnavailableError ? 'login_unavailable' : 'login_throttled', client, { email });
      throw error;
    }
  }

  private async checkPassword(email: string, password: string, client: ClientContext, attempt?: LoginAttempt): Promise<User> {
    const { found, verified } = await this.deps.passwords.check(email, password).catch(async (error: unknown) => {
      await attempt?.abandoned();
      throw error;
    });
    if (!verified) return this.refuse('login_failed', client, found?.id, email);
    return verified;
  }

  // The password may have changed while it was being checked: the session is opened only
  // against the hash it was checked with, so a reset that came first wins.
  private async openSession(user: User, email: string, client: ClientContext, attempt?: LoginAttempt): Promise<LoginResult> {
    const opened = await this.deps.sessions.open(user, client).catch(async (error: unknown) => {
      await attempt?.abandoned();
      throw error;
    });
    if (!opened) return this.refuse('login_failed', client, user.id, email);
    await attempt?.succeeded();
    await this.record('login_succeeded', client, { userId: user.id, email });
    return { user, sessionId: opened.secret, session: opened.session };
  }

  private async refuse(event: AuthEventType, client: ClientContext, userId: number | undefined, email: string): Promise<never> {
    await this.record(event, client, { userId, email });
    throw new InvalidCredentialsError();
  }

  private record(type: AuthEventType, client: ClientContext, who: { userId?: number; email?: string }): Promise<void> {
    return this.deps.audit.record(type, client, who);
  }
}
