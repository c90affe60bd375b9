import type { LimitErrors, LimitRule, Reservation } from '../kernel/limiter';
import { Limiter } from '../kernel/limiter';
import type { ThrottleStore } from '../ports/throttle-store';
import { SecondFactorThrottleUnavailableError, TooManySecondFactorFailuresError } from './second-factor-errors';

/**
 * A code check holding its unit of the account's counter: succeeded() (the code was
 * right) starts the count again; `exhausted` tells whether a wrong code just used the
 * account's last unit.
 */
export type CodeAttempt = Pick<Reservation, 'succeeded' | 'exhausted'>;

export interface SecondFactorThrottleSettings {
  failuresPerAccount: number;
  windowMs: number;
}

const SECOND_FACTOR_ERRORS: LimitErrors = {
  tooMany: (seconds) => new TooManySecondFactorFailuresError(seconds),
  unavailable: (seconds, cause) => new SecondFactorThrottleUnavailableError(cause, seconds),
};

/** The rule second_factor.account: wrong codes per account. */
export function secondFactorRules(settings: SecondFactorThrottleSettings): Array<LimitRule<number>> {
  const key = (userId: number) => `second_factor:account:${userId}`;
  return [{ name: 'second_factor.account', limit: settings.failuresPerAccount, windowMs: settings.windowMs, key, resetOnSuccess: true, errors: SECOND_FACTOR_ERRORS }];
}

/**
 * Wrong second-factor codes per account, on a counter of their own: the password
 * step's counters never see them, so wrong codes lock no one out of logging in.
 */
export class SecondFactorThrottle {
  private readonly limiter: Limiter<number>;

  constructor(store: ThrottleStore, settings: SecondFactorThrottleSettings) {
    this.limiter = new Limiter(store, secondFactorRules(settings));
  }

  /**
   * Takes a unit before the code is checked, in one atomic step: however many checks race,
   * at most the limit run per window. TooManySecondFactorFailuresError when none is left.
   */
  reserve(userId: number): Promise<CodeAttempt> {
    return this.limiter.reserve(userId);
  }
}
