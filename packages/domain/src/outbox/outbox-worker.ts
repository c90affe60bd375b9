import type { Clock } from '../kernel/clock';
import { systemClock } from '../kernel/clock';
import { newSecret } from '../kernel/secrets';
import type { Outbox } from './outbox';
import type { ClaimedMessage, OutboxMessage } from './outbox-message';
import type { OutboxStore } from './outbox-store';

/** Delivers the messages of one topic. */
export interface OutboxHandler {
  /** Rejects when the message was not delivered (it is tried again), UndeliverableError when it never can be. */
  deliver(message: ClaimedMessage, signal: AbortSignal): Promise<void>;
  /** Fields a log line may show, never a secret (an email's recipient). */
  describe?(message: ClaimedMessage): Record<string, string>;
}

/** What a log line may tell of a message: never its payload. */
export interface OutboxMessageFacts {
  id: number;
  topic: string;
  kind: string;
  attempts: number;
  [field: string]: string | number;
}

export interface OutboxWorkerSettings {
  /** Tries per message, the first included; then it is marked failed. */
  attempts: number;
  /** Wait before the second try; doubled before each later one… */
  backoffMs: number;
  /** …up to this. */
  maxBackoffMs: number;
  /** Messages claimed at once (and delivered concurrently). */
  batch: number;
  /** Between polls of the table once started (wake-ups deliver at once in between). */
  pollIntervalMs: number;
  /** Deadline of one delivery (an SMTP call): past it the try has failed. */
  deliveryTimeoutMs: number;
  /** A claim holds this long; past it another worker may take the message again. Above deliveryTimeoutMs. */
  leaseMs: number;
  /** Failed messages (payload erased) are kept this long, then deleted. */
  failedRetentionMs: number;
  /** Longest wait of drain() (and close()) for what is due. */
  drainMs: number;
}

/** Today's retries (4 tries, 2 s, 4 s, 8 s apart) with bounds for the rest. */
export const DEFAULT_OUTBOX_SETTINGS: OutboxWorkerSettings = {
  attempts: 4,
  backoffMs: 2000,
  maxBackoffMs: 15 * 60_000,
  batch: 10,
  pollIntervalMs: 1000,
  deliveryTimeoutMs: 30_000,
  leaseMs: 90_000,
  failedRetentionMs: 7 * 86_400_000,
  drainMs: 5000,
};

export interface OutboxWorkerDeps {
  store: OutboxStore;
  clock?: Clock;
  settings?: Partial<OutboxWorkerSettings>;
  /** A try failed; the message is due again at dueAt. */
  onRetry?: (message: OutboxMessageFacts, error: unknown, dueAt: number) => void;
  /** A message was given up (its last try failed, or it can never be delivered). */
  onFailure?: (message: OutboxMessageFacts, error: unknown) => void;
  /** The store failed (the database is down): the worker tries again later, less often. */
  onError?: (error: unknown) => void;
}

/** A handler's refusal of a message that no retry can deliver (a payload it cannot read). */
export class UndeliverableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndeliverableError';
  }
}

/** A delivery that outlived deliveryTimeoutMs. */
export class DeliveryTimeoutError extends Error {
  constructor(ms: number) {
    super(`delivery took longer than ${ms} ms`);
    this.name = 'DeliveryTimeoutError';
  }
}

const FAILED_PRUNE_INTERVAL_MS = 3600_000;
const FAILED_PRUNE_BATCH = 1000;
const MAX_ERROR_BACKOFF_MS = 60_000;
const LAST_ERROR_MAX = 200;

/**
 * Delivers outbox messages: claims a bounded batch of due ones (atomically, so workers of
 * several processes never take one message twice while its lease holds), hands each to
 * its topic's handler under a deadline, deletes it when delivered, else schedules the next
 * try (exponential backoff) or, after the last, marks it failed.
 *
 * Woken after each change that carries messages, it delivers at once; started (servers),
 * it also polls, which finds what others wrote, retries that came due and messages left by
 * a process that died. Delivery is at least once: a process killed between a send and its
 * delete sends that message again after the lease.
 */
export class OutboxWorker implements Outbox {
  readonly settings: OutboxWorkerSettings;
  private readonly store: OutboxStore;
  private readonly clock: Clock;
  private readonly handlers = new Map<string, OutboxHandler>();
  private polling = false;
  private closed = false;
  /** Woken or started once: close() then drains what this process may have written. */
  private used = false;
  private chain?: Promise<void>;
  private again = false;
  private timer?: ReturnType<typeof setTimeout>;
  private storeFailures = 0;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: OutboxWorkerDeps) {
    this.store = deps.store;
    this.clock = deps.clock ?? systemClock;
    this.settings = { ...DEFAULT_OUTBOX_SETTINGS, ...deps.settings };
    if (this.settings.leaseMs <= this.settings.deliveryTimeoutMs) throw new RangeError('leaseMs must exceed deliveryTimeoutMs');
  }

  /** Delivers the messages of `topic` with `handler`; messages of topics without one are left alone. */
  handle(topic: string, handler: OutboxHandler): this {
    this.handlers.set(topic, handler);
    if (this.polling && !this.closed) void this.kick();
    return this;
  }

  async add(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.store.add(messages);
    this.wake();
  }

  wake(): void {
    if (this.closed) return;
    this.used = true;
    void this.kick();
  }

  /** Polls every pollIntervalMs from now on, until close(). */
  start(): this {
    if (this.closed || this.polling) return this;
    this.polling = true;
    this.used = true;
    void this.kick();
    return this;
  }

  /**
   * Delivers what is due, and the retries that come due, until nothing more is due before
   * the deadline: what is left stays in the table for the next worker.
   */
  async drain(deadlineMs = this.settings.drainMs): Promise<void> {
    const endsAt = Date.now() + deadlineMs;
    const topics = this.topics();
    if (topics.length === 0) return;
    for (;;) {
      if (!(await settledWithin(this.kick(), endsAt - Date.now()))) return;
      let next: number | null;
      try {
        next = await this.store.nextDueAt(topics);
      } catch (error) {
        this.deps.onError?.(error);
        return;
      }
      if (next === null) return;
      const wait = Math.max(5, next - this.clock.now());
      if (Date.now() + wait >= endsAt) return;
      await sleep(wait);
    }
  }

  /** Stops polling and drains within drainMs (when this process wrote or polled at all); wake-ups are then ignored. */
  async close(deadlineMs = this.settings.drainMs): Promise<void> {
    this.polling = false;
    clearTimeout(this.timer);
    if (this.used && !this.closed) await this.drain(deadlineMs);
    this.closed = true;
    clearTimeout(this.timer);
  }

  /** One claim and its deliveries; how many messages were claimed (tests, tools). */
  async runOnce(): Promise<number> {
    const topics = this.topics();
    if (topics.length === 0) return 0;
    const claimed = await this.store.claim({
      now: this.clock.now(),
      limit: this.settings.batch,
      leaseMs: this.settings.leaseMs,
      topics,
      claim: newSecret(),
    });
    const settled = await Promise.allSettled(claimed.map((message) => this.deliver(message)));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    return claimed.length;
  }

  /** The running chain of passes, or a new one: passes repeat while work keeps coming. */
  private kick(): Promise<void> {
    if (this.chain) {
      this.again = true;
      return this.chain;
    }
    clearTimeout(this.timer);
    this.chain = this.passes().finally(() => {
      this.chain = undefined;
      this.schedule();
    });
    return this.chain;
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      try {
        const claimed = await this.runOnce();
        await this.pruneWhenDue();
        this.storeFailures = 0;
        // A full batch may leave more; a handled one may have written mail (a reset request's link).
        if (claimed > 0) this.again = true;
      } catch (error) {
        this.storeFailures++;
        this.deps.onError?.(error);
        return;
      }
    } while (this.again && !this.closed);
  }

  private schedule(): void {
    // Without a handler there is nothing to poll for (no mail configured).
    if (!this.polling || this.closed || this.handlers.size === 0) return;
    const { pollIntervalMs } = this.settings;
    const delay = this.storeFailures === 0 ? pollIntervalMs : Math.min(MAX_ERROR_BACKOFF_MS, pollIntervalMs * 2 ** this.storeFailures);
    this.timer = setTimeout(() => void this.kick(), delay);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Hands the message to its handler; a store failure settling it rejects (the lease then returns it). */
  private async deliver(message: ClaimedMessage): Promise<void> {
    const handler = this.handlers.get(message.topic);
    let delivered = false;
    let failure: unknown;
    try {
      if (!handler) throw new UndeliverableError(`no handler for topic ${message.topic}`);
      await withDeadline((signal) => handler.deliver(message, signal), this.settings.deliveryTimeoutMs);
      delivered = true;
    } catch (error) {
      failure = error;
    }
    if (delivered) {
      await this.store.delivered(message.id, message.claim);
      return;
    }
    const now = this.clock.now();
    const facts = { ...handler?.describe?.(message), id: message.id, topic: message.topic, kind: message.kind, attempts: message.attempts };
    if (failure instanceof UndeliverableError || message.attempts >= this.settings.attempts) {
      await this.store.fail(message.id, message.claim, now, summary(failure));
      this.deps.onFailure?.(facts, failure);
      return;
    }
    const dueAt = now + this.backoff(message.attempts);
    await this.store.retry(message.id, message.claim, dueAt, summary(failure));
    this.deps.onRetry?.(facts, failure, dueAt);
  }

  private backoff(attempts: number): number {
    return Math.min(this.settings.maxBackoffMs, this.settings.backoffMs * 2 ** (attempts - 1));
  }

  private async pruneWhenDue(): Promise<void> {
    const now = this.clock.now();
    if (now - this.prunedAt < FAILED_PRUNE_INTERVAL_MS) return;
    this.prunedAt = now;
    await this.store.deleteFailedBefore(now - this.settings.failedRetentionMs, FAILED_PRUNE_BATCH);
  }

  private topics(): string[] {
    return [...this.handlers.keys()];
  }
}

/** A failure as stored beside the message: its message only, bounded (a driver's text, never the payload). */
function summary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, LAST_ERROR_MAX);
}

async function withDeadline(work: (signal: AbortSignal) => Promise<void>, ms: number): Promise<void> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeliveryTimeoutError(ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the promise settled within ms (it keeps running when not). */
async function settledWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
