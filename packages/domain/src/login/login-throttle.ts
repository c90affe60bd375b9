import type { ClientContext } from '../kernel/client-context';
import { ThrottleUnavailableError, TooManyAttemptsError } from '../kernel/errors';
import type { ThrottleStore, ThrottleTake } from '../ports/throttle-store';
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

/** A login attempt that holds its place in the counters while its password is checked. */
export interface LoginAttempt {
  /** The password was right: the account's count starts again, the address's unit is given back. */
  succeeded(): Promise<void>;
  /** The password could not be checked (overload, outage): every unit is given back. */
  abandoned(): Promise<void>;
}

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

  /**
   * Takes a unit of the account's and the address's counters before any hashing, each in
   * one atomic step: however many logins race, at most the limit have their password
   * checked. A wrong password keeps its units (they are its failures). Throws
   * TooManyAttemptsError, having given back what it took, when either count is at its limit.
   */
  async reserve(email: string, client: ClientContext = {}): Promise<LoginAttempt> {
    const keys = this.keys(email, client);
    const takes = await Promise.allSettled(keys.map(([key, limit]) => this.store.take(key, limit, this.settings.windowMs)));
    const taken = keys.filter((_, i) => isTaken(takes[i]!)).map(([key]) => key);
    const failure = takes.find((take) => take.status === 'rejected');
    if (failure) {
      await this.giveBack(taken);
      throw new ThrottleUnavailableError(STORE_RETRY_AFTER_SECONDS, failure.reason);
    }
    const refused = takes.map((take) => (take as PromiseFulfilledResult<ThrottleTake>).value).filter((take) => !take.taken);
    if (refused.length > 0) {
      await this.giveBack(taken);
      throw new TooManyAttemptsError(Math.max(1, Math.ceil(Math.max(...refused.map((c) => c.resetInMs)) / 1000)));
    }
    const [account, ...address] = taken;
    return {
      succeeded: () => unavailableOnFailure(Promise.all([this.store.reset(account!), this.giveBack(address)]).then(() => undefined)),
      abandoned: () => this.giveBack(taken),
    };
  }

  // Best effort: a unit that cannot be given back only counts as one more failure.
  private async giveBack(keys: string[]): Promise<void> {
    await Promise.allSettled(keys.map((key) => this.store.giveBack(key)));
  }

  private keys(email: string, client: ClientContext): Array<[string, number]> {
    const keys: Array<[string, number]> = [[accountKey(email), this.settings.failuresPerAccount]];
    if (client.ip) keys.push([`login:ip:${client.ip}`, this.settings.failuresPerIp]);
    return keys;
  }
}

function isTaken(take: PromiseSettledResult<ThrottleTake>): boolean {
  return take.status === 'fulfilled' && take.value.taken;
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

// A valid email names its counter as it is (operators can read it); anything else, which
// may be kilobytes long, is named by its digest so that no key outgrows a valid email's.
function accountKey(email: string): string {
  const address = parseEmailOrNull(email);
  return address === null ? `login:account:#${digestSecret(normalizeEmail(email))}` : `login:account:${normalizeEmail(address)}`;
}
