import type { Clock, ThrottleCount, ThrottleStore } from '@latchkey/domain';
import { systemClock } from '@latchkey/domain';

interface Window {
  count: number;
  endsAt: number;
}

/** ThrottleStore in a Map of one process; expired windows are swept as they are met. */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly windows = new Map<string, Window>();
  private sweptAt = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async hit(key: string, windowMs: number): Promise<ThrottleCount> {
    const now = this.clock.now();
    this.sweep(now);
    let window = this.live(key, now);
    if (!window) {
      window = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return { count: window.count, resetInMs: window.endsAt - now };
  }

  async peek(key: string): Promise<ThrottleCount> {
    const now = this.clock.now();
    const window = this.live(key, now);
    return window ? { count: window.count, resetInMs: window.endsAt - now } : { count: 0, resetInMs: 0 };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private live(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.endsAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  // Bounded memory under a spray of distinct keys: drop ended windows once a second at most.
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}
