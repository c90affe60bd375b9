import type { ThrottleCount, ThrottleStore, ThrottleTake } from '../ports/throttle-store';

/**
 * `off`: addresses are never checked (the contract). `optional`: a link is sent and the
 * profile says whether it was used. `required`: an unverified account cannot log in, and
 * sign-ups answer alike for new and registered addresses.
 */
export type EmailVerificationMode = 'off' | 'optional' | 'required';

export const EMAIL_VERIFICATION_MODES: readonly EmailVerificationMode[] = ['off', 'optional', 'required'];

/** The same counters under other keys, so one store can hold several throttles. */
export function prefixedThrottleStore(store: ThrottleStore, prefix: string): ThrottleStore {
  return {
    hit: (key, windowMs): Promise<ThrottleCount> => store.hit(prefix + key, windowMs),
    take: (key, limit, windowMs): Promise<ThrottleTake> => store.take(prefix + key, limit, windowMs),
    giveBack: (key) => store.giveBack(prefix + key),
    peek: (key) => store.peek(prefix + key),
    reset: (key) => store.reset(prefix + key),
  };
}
