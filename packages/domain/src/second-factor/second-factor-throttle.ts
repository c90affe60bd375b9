import type { ThrottleStore, ThrottleTake } from '../ports/throttle-store';
import { SecondFactorThrottleUnavailableError, TooManySecondFactorFailuresError } from './second-factor-errors';

/** A code check holding its unit of the account's counter. */
export interface CodeAttempt {
  /** The code was right: the count starts again. */
  succeeded(): Promise<void>;
  /** Whether the wrong code just used the account's last unit. */
  readonly exhausted: boolean;
}

/**
 * Wrong second-factor codes per account, on a counter of their own: the password
 * step's counters never see them, so wrong codes lock no one out of logging in.
 */
export class SecondFactorThrottle {
  constructor(
    private readonly store: ThrottleStore,
    private readonly settings: { failuresPerAccount: number; windowMs: number },
  ) {}

  /**
   * Takes a unit before the code is checked, in one atomic step: however many checks race,
   * at most the limit run per window. TooManySecondFactorFailuresError when none is left.
   */
  async reserve(userId: number): Promise<CodeAttempt> {
    const key = `second_factor:account:${userId}`;
    let take: ThrottleTake;
    try {
      take = await this.store.take(key, this.settings.failuresPerAccount, this.settings.windowMs);
    } catch (error) {
      throw new SecondFactorThrottleUnavailableError(error);
    }
    if (!take.taken) throw new TooManySecondFactorFailuresError(Math.max(1, Math.ceil(take.resetInMs / 1000)));
    return {
      exhausted: take.count >= this.settings.failuresPerAccount,
      succeeded: async () => {
        try {
          await this.store.reset(key);
        } catch (error) {
          throw new SecondFactorThrottleUnavailableError(error);
        }
      },
    };
  }
}
