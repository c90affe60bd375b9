import type { PasswordHasher } from '@latchkey/domain';
import { OverloadedError } from '@latchkey/domain';

export interface HashLimits {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes waiting for a slot; one more is refused with OverloadedError. */
  queueMax: number;
}

/**
 * Admission control in front of a hasher. bcrypt burns a CPU core per hash on libuv's
 * thread pool, which the SQLite driver and file system share: unbounded, a login flood
 * would take every core and every pool thread, and queue without end. Here at most
 * `concurrency` hashes run, `queueMax` wait, and the rest are refused at once.
 */
export class BoundedPasswordHasher implements PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Moving average of one hash, to tell a refused client when to come back. */
  private averageMs = 100;

  constructor(
    private readonly inner: PasswordHasher,
    readonly limits: HashLimits,
  ) {
    if (limits.concurrency < 1) throw new RangeError('concurrency must be at least 1');
    if (limits.queueMax < 0) throw new RangeError('queueMax must not be negative');
  }

  hash(password: string): Promise<string> {
    return this.admit(() => this.inner.hash(password));
  }

  verify(password: string, hashedPassword: string): Promise<boolean> {
    return this.admit(() => this.inner.verify(password, hashedPassword));
  }

  needsRehash(hashedPassword: string): boolean {
    return this.inner.needsRehash(hashedPassword);
  }

  /** Hashes running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private async admit<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrency) {
      if (this.waiting.length >= this.limits.queueMax) throw this.overloaded();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.averageMs = 0.9 * this.averageMs + 0.1 * (performance.now() - started);
      this.release();
    }
  }

  /**
   * A flood is refused hundreds of times a second, each refusal an expected answer (503)
   * that nobody reads a stack trace of: capturing one would be a good share of its cost.
   */
  private overloaded(): OverloadedError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new OverloadedError(this.retryAfterSeconds());
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /** Hands the slot to the next waiting hash, if any, else frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  /** Time to drain a full queue, rounded up to whole seconds. */
  private retryAfterSeconds(): number {
    const drainMs = ((this.limits.queueMax + this.limits.concurrency) * this.averageMs) / this.limits.concurrency;
    return Math.max(1, Math.ceil(drainMs / 1000));
  }
}
