import type { ClientContext } from '../kernel/client-context';
import { ThrottleUnavailableError, TooManyAttemptsError } from '../kernel/errors';
import type { LimitErrors, LimitRule, Reservation } from '../kernel/limiter';
import { Limiter } from '../kernel/limiter';
import type { ThrottleStore } from '../ports/throttle-store';
import { digestSecret } from '../kernel/secrets';
import { normalizeEmail } from '../users/user';
import { parseEmailOrNull } from '../kernel/email';

export interface LoginThrottleSettings {
  failuresPerAccount: number;
  failuresPerIp: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  failuresPerAccount: 10,
  failuresPerIp: 100,
  windowMs: 900_000,
};

/**
 * A login attempt that holds its place in the counters while its password is checked:
 * succeeded() starts the account's count again and gives the address's unit back,
 * abandoned() (overload, outage) gives every unit back.
 */
export type LoginAttempt = Pick<Reservation, 'succeeded' | 'abandoned'>;

interface LoginInput {
  /** Undefined when the attempt names no account (a passkey of no known user): only the address counts. */
  email: string | undefined;
  client: ClientContext;
}

// Without its counters the throttle cannot tell a locked-out account: logins stop (fail
// closed) with an answer that says "try again soon" rather than "server bug".
const LOGIN_ERRORS: LimitErrors = {
  tooMany: (seconds) => new TooManyAttemptsError(seconds),
  unavailable: (seconds, cause) => new ThrottleUnavailableError(seconds, cause),
};

/** The rules login.account and login.ip: failed logins per account and per client address. */
export function loginRules(settings: LoginThrottleSettings): Array<LimitRule<LoginInput>> {
  return [
    { name: 'login.account', limit: settings.failuresPerAccount, windowMs: settings.windowMs, key: ({ email }) => (email === undefined ? undefined : accountKey(email)), resetOnSuccess: true, errors: LOGIN_ERRORS },
    { name: 'login.ip', limit: settings.failuresPerIp, windowMs: settings.windowMs, key: ({ client }) => (client.ip ? `login:ip:${client.ip}` : undefined), errors: LOGIN_ERRORS },
  ];
}

/**
 * Counts failed logins per account and per client address. Once either count reaches
 * its limit, every login for that account or from that address is refused, right
 * password or not, until the window ends.
 */
export class LoginThrottle {
  readonly settings: LoginThrottleSettings;
  private readonly limiter: Limiter<LoginInput>;

  constructor(store: ThrottleStore, settings: Partial<LoginThrottleSettings> = {}) {
    this.settings = { ...DEFAULT_LOGIN_THROTTLE, ...settings };
    this.limiter = new Limiter(store, loginRules(this.settings));
  }

  /**
   * Takes a unit of the account's and the address's counters before any hashing: however
   * many logins race, at most the limit have their password checked. A wrong password
   * keeps its units (they are its failures). TooManyAttemptsError while either is at its limit.
   */
  reserve(email: string | undefined, client: ClientContext = {}): Promise<LoginAttempt> {
    return this.limiter.reserve({ email, client });
  }
}

// A valid email names its counter as it is (operators can read it); anything else, which
// may be kilobytes long, is named by its digest so that no key outgrows a valid email's.
function accountKey(email: string): string {
  const address = parseEmailOrNull(email);
  return address === null ? `login:account:#${digestSecret(normalizeEmail(email))}` : `login:account:${normalizeEmail(address)}`;
}
