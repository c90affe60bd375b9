/** A counter in a fixed window: how many hits, and when the window ends. */
export interface ThrottleCount {
  count: number;
  /** Milliseconds until the counter starts again from zero (0 when it is zero). */
  resetInMs: number;
}

/**
 * Counters of failed logins, per key, in fixed windows that start at a key's first hit.
 * Shared by every instance when the store is (Redis); per process in memory.
 */
export interface ThrottleStore {
  /** Adds one to the key's counter, starting a window of windowMs when there is none. */
  hit(key: string, windowMs: number): Promise<ThrottleCount>;
  /** The key's counter without changing it. */
  peek(key: string): Promise<ThrottleCount>;
  /** Forgets the key. */
  reset(key: string): Promise<void>;
}
