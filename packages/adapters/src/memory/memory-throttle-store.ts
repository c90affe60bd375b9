import { createHash } from 'node:crypto';
import type { Clock, ThrottleCount, ThrottleStore, ThrottleTake } from '@latchkey/domain';
import { systemClock } from '@latchkey/domain';

interface Window {
  count: number;
  endsAt: number;
}

export interface MemoryThrottleStoreOptions {
  clock?: Clock;
  /** Most counters kept at once; past it the oldest window is forgotten first. */
  maxEntries?: number;
}

export const DEFAULT_THROTTLE_MAX_ENTRIES = 100_000;

/**
 * ThrottleStore in a Map of one process. Its memory is bounded whatever the clients send:
 * keys are kept as a fixed-size digest, and past maxEntries the oldest window is dropped
 * (Map keeps insertion order, and a window is inserted when it starts).
 */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly windows = new Map<string, Window>();
  private readonly clock: Clock;
  private readonly maxEntries: number;
  private sweptAt = 0;

  constructor(options: MemoryThrottleStoreOptions | Clock = {}) {
    const { clock, maxEntries } = 'now' in options ? { clock: options, maxEntries: undefined } : options;
    this.clock = clock ?? systemClock;
    this.maxEntries = Math.max(1, maxEntries ?? DEFAULT_THROTTLE_MAX_ENTRIES);
  }

  /** Counters held now (expired ones may linger until the next sweep). */
  get size(): number {
    return this.windows.size;
  }

  async hit(key: string, windowMs: number): Promise<ThrottleCount> {
    const now = this.clock.now();
    const window = this.open(digest(key), windowMs, now);
    window.count++;
    return { count: window.count, resetInMs: window.endsAt - now };
  }

  // Synchronous between reading and adding: no other call runs in between.
  async take(key: string, limit: number, windowMs: number): Promise<ThrottleTake> {
    const now = this.clock.now();
    const id = digest(key);
    const live = this.live(id, now);
    if (live && live.count >= limit) return { taken: false, count: live.count, resetInMs: live.endsAt - now };
    if (limit < 1) return { taken: false, count: 0, resetInMs: 0 };
    const window = live ?? this.open(id, windowMs, now);
    window.count++;
    return { taken: true, count: window.count, resetInMs: window.endsAt - now };
  }

  // A window given back to nothing is dropped: an attempt refused by another counter (a
  // login from a locked-out address, for a new email each time) then keeps no entry.
  // Starting its window later again lets nothing more through: it had counted nothing.
  async giveBack(key: string): Promise<void> {
    const id = digest(key);
    const window = this.live(id, this.clock.now());
    if (!window) return;
    if (window.count > 1) window.count--;
    else this.windows.delete(id);
  }

  async peek(key: string): Promise<ThrottleCount> {
    const now = this.clock.now();
    const window = this.live(digest(key), now);
    return window ? { count: window.count, resetInMs: window.endsAt - now } : { count: 0, resetInMs: 0 };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(digest(key));
  }

  private open(id: string, windowMs: number, now: number): Window {
    this.sweep(now);
    const found = this.live(id, now);
    if (found) return found;
    while (this.windows.size >= this.maxEntries) this.windows.delete(this.windows.keys().next().value!);
    const window = { count: 0, endsAt: now + windowMs };
    this.windows.set(id, window);
    return window;
  }

  private live(id: string, now: number): Window | undefined {
    const window = this.windows.get(id);
    if (window && window.endsAt <= now) {
      this.windows.delete(id);
      return undefined;
    }
    return window;
  }

  // Ended windows go once a second at most, so a quiet store gives its memory back.
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [id, window] of this.windows) if (window.endsAt <= now) this.windows.delete(id);
  }
}

/** 16 bytes of SHA-256 as base64 (24 characters): a key of any length costs the same. */
function digest(key: string): string {
  return createHash('sha256').update(key).digest().subarray(0, 16).toString('base64');
}
