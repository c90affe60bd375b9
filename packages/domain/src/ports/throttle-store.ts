/** A counter in a fixed window: how many hits, and when the window ends. */
export interface ThrottleCount {
  count: number;
  /** Milliseconds until the counter starts again from zero (0 when it is zero). */
  resetInMs: number;
}

/** The answer to take: whether a unit was taken, and the counter as it now is. */
export interface ThrottleTake extends ThrottleCount {
  taken: boolean;
}

/**
 * Counters of attempts, per key, in fixed windows that start at a key's first hit.
 * Shared by every instance when the store is (Redis); per process in memory.
 */
export interface ThrottleStore {
  /** Adds one to the key's counter, starting a window of windowMs when there is none. */
  hit(key: string, windowMs: number): Promise<ThrottleCount>;
  /**
   * In one atomic step: adds one to the key's counter when it is below limit (taken), and
   * leaves it as it is otherwise. However many callers race, at most `limit` take a unit
   * per window. The window starts at the first unit, as with hit.
   */
  take(key: string, limit: number, windowMs: number): Promise<ThrottleTake>;
  /** Takes one off the key's counter (a unit taken but not used), never below zero. */
  giveBack(key: string): Promise<void>;
  /** The key's counter without changing it. */
  peek(key: string): Promise<ThrottleCount>;
  /** Forgets the key. */
  reset(key: string): Promise<void>;
}
