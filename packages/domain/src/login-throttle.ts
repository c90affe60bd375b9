import type { ClientContext } from './client-context';
import { ThrottleUnavailableError, TooManyAttemptsError } from './errors';
import type { ThrottleStore } from './ports/throttle-store';
import { normalizeEmail } from './user';

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
 * Counts failed logins per account and per client address. Once either count reaches
 * its limit, every login for that account or from that address is refused, right
 * password or not, until the window ends.
 */
export class LoginThrottle {
  readonly settings: LoginThrottleSettings;

  constructor(
    private readonly store: ThrottleStore,
    settings: Partial<LoginThrottleSettings> = {},
  ) {
    this.settings = { ...DEFAULT_LOGIN_THROTTLE, ...settings };
  }

  /** Throws TooManyAttemptsError when the account or the address is locked out. */
  async check(email: string, client: ClientContext = {}): Promise<void> {
    const counters = await unavailableOnFailure(
      Promise.all(this.keys(email, client).map(([key, limit]) => this.store.peek(key).then((c) => ({ ...c, limit })))),
    );
    const blocked = counters.filter(({ count, limit }) => count >= limit);
    if (blocked.length > 0) {
      throw new TooManyAttemptsError(Math.ceil(Math.max(...blocked.map((c) => c.resetInMs)) / 1000));
    }
  }

  async recordFailure(email: string, client: ClientContext = {}): Promise<void> {
    await unavailableOnFailure(Promise.all(this.keys(email, client).map(([key]) => this.store.hit(key, this.settings.windowMs))));
  }

  /** A right password clears the account's counter; the address keeps its count. */
  async recordSuccess(email: string): Promise<void> {
    await unavailableOnFailure(this.store.reset(accountKey(email)));
  }

  private keys(email: string, client: ClientContext): Array<[string, number]> {
    const keys: Array<[string, number]> = [[accountKey(email), this.settings.failuresPerAccount]];
    if (client.ip) keys.push([`login:ip:${client.ip}`, this.settings.failuresPerIp]);
    return keys;
  }
}

/** Seconds a client is asked to wait while the counters cannot be reached. */
const STORE_RETRY_AFTER_SECONDS = 5;

// Without its counters the throttle cannot tell a locked-out account: logins stop (fail
// closed) with an answer that says "try again soon" rather than "server bug".
async function unavailableOnFailure<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new ThrottleUnavailableError(STORE_RETRY_AFTER_SECONDS, error);
  }
}

function accountKey(email: string): string {
  return `login:account:${normalizeEmail(email)}`;
}
