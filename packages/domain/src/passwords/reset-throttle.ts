import type { ClientContext } from '../kernel/client-context';
import { ResetRequestsUnavailableError, TooManyResetRequestsError } from '../kernel/errors';
import type { LimitErrors, LimitRule } from '../kernel/limiter';
import { Limiter } from '../kernel/limiter';
import type { ThrottleStore } from '../ports/throttle-store';
import { digestSecret } from '../kernel/secrets';
import { normalizeEmail } from '../users/user';

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
