import type { ClientContext } from '../kernel/client-context';
import { ResetRequestsUnavailableError, TooManyResetRequestsError } from '../kernel/errors';
import type { LimitErrors, LimitRule, Reservation } from '../kernel/limiter';
import { Limiter } from '../kernel/limiter';
import type { ThrottleStore } from '../ports/throttle-store';
import { digestSecret } from '../kernel/secrets';
import { normalizeEmail } from '../users/user';
import { ResetTokenChecksUnavailableError, TooManyResetTokenFailuresError } from './reset-token-errors';

export interface ResetThrottleSettings {
  requestsPerEmail: number;
  requestsPerIp: number;
  windowMs: number;
}

export const DEFAULT_RESET_THROTTLE: ResetThrottleSettings = {
  requestsPerEmail: 5,
  requestsPerIp: 20,
  windowMs: 900_000,
};

interface RequestInput {
  email: string;
  client: ClientContext;
}

/** Which requests a ResetThrottle counts: the names of its two rules and where their keys start. */
export interface RequestCounters {
  email: { name: string; keyPrefix: string };
  ip: { name: string; keyPrefix: string };
}

/** Password reset requests: reset.email, reset.ip. */
export const RESET_REQUESTS: RequestCounters = {
  email: { name: 'reset.email', keyPrefix: 'reset:email:' },
  ip: { name: 'reset.ip', keyPrefix: 'reset:ip:' },
};

/** Requests to send the verification email again: counted apart, under keys of their own. */
export const VERIFICATION_RESENDS: RequestCounters = {
  email: { name: 'verify_resend.email', keyPrefix: 'verify:reset:email:' },
  ip: { name: 'verify_resend.ip', keyPrefix: 'verify:reset:ip:' },
};

const RESET_ERRORS: LimitErrors = {
  tooMany: (seconds) => new TooManyResetRequestsError(seconds),
  unavailable: (seconds, cause) => new ResetRequestsUnavailableError(seconds, cause),
};

/** The two rules of a request throttle: per email (as a digest) and per client address. */
export function requestRules(settings: ResetThrottleSettings, counters: RequestCounters = RESET_REQUESTS): Array<LimitRule<RequestInput>> {
  const { windowMs } = settings;
  return [
    // The digest keeps a key short whatever the email's length.
    { name: counters.email.name, limit: settings.requestsPerEmail, windowMs, key: ({ email }) => counters.email.keyPrefix + digestSecret(normalizeEmail(email)), errors: RESET_ERRORS },
    { name: counters.ip.name, limit: settings.requestsPerIp, windowMs, key: ({ client }) => (client.ip ? counters.ip.keyPrefix + client.ip : undefined), errors: RESET_ERRORS },
  ];
}

/**
 * Counts reset requests per email (registered or not, so a refusal tells nothing) and per
 * client address. Each request is counted before it is judged, so concurrent requests
 * cannot all slip under the limit; refused ones count too.
 */
export class ResetThrottle {
  readonly settings: ResetThrottleSettings;
  private readonly limiter: Limiter<RequestInput>;

  constructor(store: ThrottleStore, settings: Partial<ResetThrottleSettings> = {}, counters: RequestCounters = RESET_REQUESTS) {
    this.settings = { ...DEFAULT_RESET_THROTTLE, ...settings };
    this.limiter = new Limiter(store, requestRules(this.settings, counters));
  }

  /** Counts one request; TooManyResetRequestsError past either limit. */
  reserve(email: string, client: ClientContext = {}): Promise<void> {
    return this.limiter.count({ email, client });
  }
}

export interface ResetTokenThrottleSettings {
  failuresPerAccount: number;
  failuresPerIp: number;
  windowMs: number;
}

export const DEFAULT_RESET_TOKEN_THROTTLE: ResetTokenThrottleSettings = {
  failuresPerAccount: 10,
  failuresPerIp: 100,
  windowMs: 900_000,
};

/**
 * A token check holding its units while the token is looked up: succeeded() (the token
 * was right) starts the account's count again and gives the address's unit back,
 * abandoned() (an outage) gives both back; a wrong token keeps them.
 */
export type TokenAttempt = Pick<Reservation, 'succeeded' | 'abandoned'>;

interface TokenInput {
  /** The email the token is presented for; the account rule does not apply without one. */
  email: string | undefined;
  client: ClientContext;
}

const RESET_TOKEN_ERRORS: LimitErrors = {
  tooMany: (seconds) => new TooManyResetTokenFailuresError(seconds),
  unavailable: (seconds, cause) => new ResetTokenChecksUnavailableError(seconds, cause),
};

/** The rules reset_token.account and reset_token.ip: wrong reset tokens per email (as a digest) and per client address. */
export function resetTokenRules(settings: ResetTokenThrottleSettings): Array<LimitRule<TokenInput>> {
  const { windowMs } = settings;
  return [
    {
      name: 'reset_token.account',
      limit: settings.failuresPerAccount,
      windowMs,
      key: ({ email }) => (email === undefined ? undefined : `reset_token:account:${digestSecret(normalizeEmail(email))}`),
      resetOnSuccess: true,
      errors: RESET_TOKEN_ERRORS,
    },
    { name: 'reset_token.ip', limit: settings.failuresPerIp, windowMs, key: ({ client }) => (client.ip ? `reset_token:ip:${client.ip}` : undefined), errors: RESET_TOKEN_ERRORS },
  ];
}

/**
 * Wrong reset tokens per email and per client address, on counters of their own (a
 * guessed token locks no one out of logging in or of asking for a link). Whatever a
 * token's entropy, every credential check is bounded.
 */
export class ResetTokenThrottle {
  readonly settings: ResetTokenThrottleSettings;
  private readonly limiter: Limiter<TokenInput>;

  constructor(store: ThrottleStore, settings: Partial<ResetTokenThrottleSettings> = {}) {
    this.settings = { ...DEFAULT_RESET_TOKEN_THROTTLE, ...settings };
    this.limiter = new Limiter(store, resetTokenRules(this.settings));
  }

  /**
   * Takes a unit of both counters before the token is looked up, in one atomic step each:
   * however many guesses race, at most the limit are checked per window.
   * TooManyResetTokenFailuresError while either counter is at its limit.
   */
  reserve(email: string | undefined, client: ClientContext = {}): Promise<TokenAttempt> {
    return this.limiter.reserve({ email, client });
  }
}
