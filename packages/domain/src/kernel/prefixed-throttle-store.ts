import type { ThrottleCount, ThrottleStore, ThrottleTake } from '../ports/throttle-store';

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
