import type { Clock } from '../kernel/clock';
import { systemClock } from '../kernel/clock';
import { newSecret } from '../kernel/secrets';
import type { SecretBox } from '../ports/secret-box';
import { signingSecrets } from './webhook-endpoint';
import { ENDPOINT_SECRET_CONTEXT } from './webhook-endpoints';
import type { WebhookSender, WebhookSigner } from './webhook-ports';
import type { AttemptOutcome, ClaimedDelivery, WebhookStore } from './webhook-store';

export interface WebhookDispatcherSettings {
  /** Deliveries claimed at once (and attempted concurrently). */
  batch: number;
  /** Events moved from the outbox into deliveries by one fan-out. */
  fanOutBatch: number;
  /** Between polls once started (wake-ups dispatch at once in between). */
  pollIntervalMs: number;
  /** Deadline of one attempt: past it, the attempt failed. */
  attemptTimeoutMs: number;
  /** A claim holds this long; past it another instance may take the delivery. Above attemptTimeoutMs. */
  leaseMs: number;
  /** Wait before the second attempt; doubled before each later one (with jitter)… */
  backoffMs: number;
  /** …up to this. */
  maxBackoffMs: number;
  /** A delivery is retried for this long after its first attempt, then given up. */
  retryMs: number;
  /** Delivered and failed deliveries are kept this long (listing, replay), then deleted. */
  retentionMs: number;
  /** Longest wait of drain() (and close()). */
  drainMs: number;
}

export const DEFAULT_WEBHOOK_DISPATCHER_SETTINGS: WebhookDispatcherSettings = {
  batch: 20,
  fanOutBatch: 100,
  pollIntervalMs: 1000,
  attemptTimeoutMs: 10_000,
  leaseMs: 60_000,
  backoffMs: 5000,
  maxBackoffMs: 3600_000,
  retryMs: 24 * 3600_000,
  retentionMs: 7 * 86_400_000,
  drainMs: 5000,
};

/** What a log line may tell of a delivery: never its body or secrets. */
export interface DeliveryFacts {
  delivery: number;
  endpoint: number;
  event: string;
  type: string;
  attempts: number;
  status: number | null;
}

export interface WebhookDispatcherDeps {
  store: WebhookStore;
  signer: WebhookSigner;
  sender: WebhookSender;
  box: SecretBox;
  clock?: Clock;
  settings?: Partial<WebhookDispatcherSettings>;
  /** In [0, 1): the jitter of each backoff (tests pass a fixed one). */
  random?: () => number;
  onDelivered?: (facts: DeliveryFacts) => void;
  onRetry?: (facts: DeliveryFacts, error: string, dueAt: number) => void;
  onFailure?: (facts: DeliveryFacts, error: string) => void;
  /** The store failed (the database is down): tried again later, less often. */
  onError?: (error: unknown) => void;
}

const PRUNE_INTERVAL_MS = 3600_000;
const PRUNE_BATCH = 1000;
const MAX_ERROR_BACKOFF_MS = 60_000;
const ERROR_MAX = 200;

/**
 * Delivers the events of the outbox to the endpoints. Each pass moves new events into one
 * delivery per endpoint that wants them (one process at a time, in event order), claims a
 * batch of due deliveries (each the earliest pending of its user and endpoint, so one
 * user's events reach an endpoint in order, a failing one holding back the later ones),
 * and attempts each: signed afresh (a new `webhook-timestamp`, the same `webhook-id`),
 * under a deadline. A 2xx answer delivers it; anything else (a redirect included) is tried
 * again after an exponential backoff with jitter, until the retry window has passed.
 *
 * Several instances share the work: a claim is atomic and leased, so each delivery is
 * attempted by one at a time. Delivery is at least once: a process killed after a
 * receiver answered and before the delivery was marked sends it again after the lease.
 */
export class WebhookDispatcher {
  readonly settings: WebhookDispatcherSettings;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly opened = new Map<string, string>();
  private polling = false;
  private closed = false;
  private chain?: Promise<void>;
  private again = false;
  private timer?: ReturnType<typeof setTimeout>;
  private storeFailures = 0;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: WebhookDispatcherDeps) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.settings = { ...DEFAULT_WEBHOOK_DISPATCHER_SETTINGS, ...deps.settings };
    if (this.settings.leaseMs <= this.settings.attemptTimeoutMs) throw new RangeError('leaseMs must exceed attemptTimeoutMs');
  }

  /** A change wrote events, or a delivery was replayed: dispatch now. */
  wake(): void {
    if (!this.closed) void this.kick();
  }

  /** Polls every pollIntervalMs from now on, until close(). */
  start(): this {
    if (this.closed || this.polling) return this;
    this.polling = true;
    void this.kick();
    return this;
  }

  /** Dispatches what is due, and retries that come due, until nothing more is due before the deadline. */
  async drain(deadlineMs = this.settings.drainMs): Promise<void> {
    const endsAt = Date.now() + deadlineMs;
    for (;;) {
      if (!(await settledWithin(this.kick(), endsAt - Date.now()))) return;
      let next: number | null;
      try {
        next = await this.deps.store.nextDueAt(this.clock.now());
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

  /** Stops polling and waits for the attempts under way (within drainMs); what is left stays stored. */
  async close(deadlineMs = this.settings.drainMs): Promise<void> {
    this.polling = false;
    this.closed = true;
    clearTimeout(this.timer);
    if (this.chain) await settledWithin(this.chain, deadlineMs);
    clearTimeout(this.timer);
  }

  /** One fan-out, one claim and its attempts; how many events were moved and deliveries attempted (tests, tools). */
  async runOnce(): Promise<{ moved: number; attempted: number }> {
    const { store } = this.deps;
    const moved = await store.fanOut(this.settings.fanOutBatch, this.clock.now());
    const claimed = await store.claim({ now: this.clock.now(), limit: this.settings.batch, leaseMs: this.settings.leaseMs, claim: newSecret() });
    const settled = await Promise.allSettled(claimed.map((delivery) => this.attempt(delivery)));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    return { moved, attempted: claimed.length };
  }

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
        const { moved, attempted } = await this.runOnce();
        await this.pruneWhenDue();
        this.storeFailures = 0;
        // Moved events may have made deliveries due; a settled one may have let its user's next one go.
        if (moved > 0 || attempted > 0) this.again = true;
      } catch (error) {
        this.storeFailures++;
        this.deps.onError?.(error);
        return;
      }
    } while (this.again && !this.closed);
  }

  private schedule(): void {
    if (!this.polling || this.closed) return;
    const { pollIntervalMs } = this.settings;
    const delay = this.storeFailures === 0 ? pollIntervalMs : Math.min(MAX_ERROR_BACKOFF_MS, pollIntervalMs * 2 ** this.storeFailures);
    this.timer = setTimeout(() => void this.kick(), delay);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** One attempt, then the delivery settled by its outcome; a store failure settling it rejects (the lease returns it). */
  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { store } = this.deps;
    const sentAt = this.clock.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await this.send(delivery, sentAt);
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (failure) {
      error = summary(failure);
    }
    const now = this.clock.now();
    const outcome: AttemptOutcome = { at: now, status, error };
    const facts: DeliveryFacts = { delivery: delivery.id, endpoint: delivery.endpointId, event: delivery.eventId, type: delivery.eventType, attempts: delivery.attempts, status };
    if (error === null) {
      if (await store.delivered(delivery.id, delivery.claim, outcome)) this.deps.onDelivered?.(facts);
      return;
    }
    const givesUpAt = delivery.startedAt + this.settings.retryMs;
    if (now >= givesUpAt) {
      if (await store.fail(delivery.id, delivery.claim, outcome)) this.deps.onFailure?.(facts, error);
      return;
    }
    const dueAt = Math.min(givesUpAt, now + this.backoff(delivery.attempts));
    if (await store.retry(delivery.id, delivery.claim, dueAt, outcome)) this.deps.onRetry?.(facts, error, dueAt);
  }

  /** Signs with every secret in use now and posts; the receiver's status. */
  private async send(delivery: ClaimedDelivery, now: number): Promise<number> {
    const timestamp = Math.floor(now / 1000);
    const secrets = signingSecrets(delivery.secrets, now).map((secret) => this.open(secret.sealed));
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Latchkey-Webhooks',
      'webhook-id': delivery.eventId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': this.deps.signer.sign(delivery.eventId, timestamp, delivery.body, secrets),
    };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.settings.attemptTimeoutMs} ms`)), this.settings.attemptTimeoutMs);
    try {
      return (await this.deps.sender.send({ url: delivery.url, headers, body: delivery.body }, controller.signal)).status;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A sealed secret opened once per process (secrets are few; opening is a decryption). */
  private open(sealed: string): string {
    let secret = this.opened.get(sealed);
    if (secret === undefined) {
      secret = this.deps.box.open(sealed, ENDPOINT_SECRET_CONTEXT);
      if (this.opened.size > 1000) this.opened.clear();
      this.opened.set(sealed, secret);
    }
    return secret;
  }

  /** Exponential, with "equal jitter": half the wait fixed, half drawn at random (receivers coming back are not hit at once). */
  private backoff(attempts: number): number {
    const wait = Math.min(this.settings.maxBackoffMs, this.settings.backoffMs * 2 ** (attempts - 1));
    return Math.round(wait / 2 + (wait / 2) * this.random());
  }

  private async pruneWhenDue(): Promise<void> {
    const now = this.clock.now();
    if (now - this.prunedAt < PRUNE_INTERVAL_MS) return;
    this.prunedAt = now;
    await this.deps.store.deleteSettledBefore(now - this.settings.retentionMs, PRUNE_BATCH);
  }
}

function summary(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const text = error instanceof Error ? `${error.name}: ${error.message}${cause instanceof Error ? ` (${cause.message})` : ''}` : String(error);
  return text.slice(0, ERROR_MAX);
}

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
