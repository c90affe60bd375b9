import type { AccountLifecycleDeps } from './account/account-lifecycle';
import { AdminActions } from './admin/admin-actions';
import type { ApiKeyRepository } from './admin/api-key-repository';
import { ApiKeys } from './admin/api-keys';
import { AccountLifecycle } from './account/account-lifecycle';
import { NO_ACCOUNT_STORAGE } from './account/no-account-storage';
import { AuditRecorder } from './audit/audit-recorder';
import type { SessionSettings } from './auth-settings';
import { DEFAULT_SESSION_SETTINGS } from './auth-settings';
import { AuthService } from './auth-service';
import type { Clock } from './kernel/clock';
import { systemClock } from './kernel/clock';
import { LoginFlow } from './login/login-flow';
import { secondFactorStep, verifiedAddressStep } from './login/login-steps';
import type { LoginThrottle } from './login/login-throttle';
import { PasswordCheck } from './login/password-check';
import { PasswordPolicy } from './passwords/password-policy';
import { PasswordResets } from './passwords/password-resets';
import type { ResetThrottle, ResetTokenThrottle } from './passwords/reset-throttle';
import type { PasswordResetTokenRepository } from './passwords/reset-token-repository';
import type { AuditLog, AuthEventType } from './ports/audit-log';
import type { PasswordHasher } from './ports/password-hasher';
import type { SecondFactorDeps } from './second-factor/second-factors';
import { SecondFactors } from './second-factor/second-factors';
import { UNCONFIGURED_SECOND_FACTORS } from './second-factor/unconfigured-second-factors';
import { SessionManager } from './sessions/session-manager';
import type { SessionRepository } from './sessions/session-repository';
import type { TokenDeps } from './tokens/session-tokens';
import { SessionTokens } from './tokens/session-tokens';
import { UNCONFIGURED_TOKENS } from './tokens/unconfigured-tokens';
import type { PasskeyDeps } from './passkeys/passkeys';
import { Passkeys } from './passkeys/passkeys';
import { UNCONFIGURED_PASSKEYS } from './passkeys/unconfigured-passkeys';
import type { EventSubscriptions } from './webhooks/webhook-events';
import { WebhookEvents, noWebhookEvents } from './webhooks/webhook-events';
import { Registration } from './users/registration';
import type { UserRepository } from './users/user-repository';

export interface AuthDeps {
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
  /** Limits wrong reset tokens per email and per client address; none when absent. */
  resetTokenThrottle?: ResetTokenThrottle;
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
  /** Signed tokens for sessions and the key set verifying them; unavailable when absent. */
  tokens?: TokenDeps;
  /**
   * Webhook events: which types some endpoint wants, and what to wake once a change wrote
   * some. Without it no event is written.
   */
  webhooks?: { subscriptions: EventSubscriptions; wake?: () => void };
  /** The admin API's keys; without them every admin call is refused (401). */
  apiKeys?: ApiKeyRepository;
  /** Passkeys (WebAuthn); nobody can register one when absent. */
  passkeys?: PasskeyDeps;
}

/** @deprecated the name of AuthDeps before createAuth. */
export type AuthServiceDeps = AuthDeps;

/** Builds every capability of the domain over the given ports, and the facade over them. */
export function createAuth(deps: AuthDeps): AuthService {
  const { users, hasher } = deps;
  const clock = deps.clock ?? systemClock;
  const policy = deps.policy ?? new PasswordPolicy();
  const settings = { ...DEFAULT_SESSION_SETTINGS, ...deps.settings };
  const audit = new AuditRecorder(deps.audit, clock, deps.onAuditFailure);
  const events = deps.webhooks ? new WebhookEvents({ ...deps.webhooks, users, clock }) : noWebhookEvents(users, clock);
  const sessions = new SessionManager(deps.sessions, settings, clock, audit, events);
  const registration = new Registration({ users, hasher, policy, audit, events });
  const secondFactor = deps.secondFactor
    ? new SecondFactors(deps.secondFactor, { users, hasher, sessions, audit, clock, events })
    : UNCONFIGURED_SECOND_FACTORS;
  const account = new AccountLifecycle({
    ...(deps.account ?? NO_ACCOUNT_STORAGE),
    users,
    hasher,
    policy,
    clock,
    audit,
    throttle: deps.throttle,
    registration,
    events,
    sessionEvents: sessions,
  });
  const passwords = new PasswordResets({ users, tokens: deps.resetTokens, hasher, policy, clock, settings, audit, throttle: deps.resetThrottle, tokenThrottle: deps.resetTokenThrottle, sessions, events, resetNotice: (user, client) => account.resetNotice(user, client) });
  const passwordCheck = new PasswordCheck(users, hasher);
  const steps = [verifiedAddressStep((user) => account.blocksLogin(user)), secondFactorStep(secondFactor)];
  const logins = new LoginFlow({ passwords: passwordCheck, sessions, audit, steps, secondFactor, throttle: deps.throttle });
  const passkeys = deps.passkeys
    ? new Passkeys(deps.passkeys, {
        users,
        sessions,
        audit,
        clock,
        secondFactor,
        checkPassword: (user, password, client) => account.checkPassword(user, password, client),
        steps,
        throttle: deps.throttle,
        events,
      })
    : UNCONFIGURED_PASSKEYS;
  const tokens = deps.tokens ? new SessionTokens(deps.tokens, sessions, clock) : UNCONFIGURED_TOKENS;
  const admin = new AdminActions({ keys: deps.apiKeys && new ApiKeys(deps.apiKeys, clock), users, sessions, passwords, account, secondFactor, audit });
  return new AuthService({ users, hasher, audit, settings, registration, passwordCheck, sessions, logins, passwords, account, secondFactor, tokens, admin, passkeys });
}
