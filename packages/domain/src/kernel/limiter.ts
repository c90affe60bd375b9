import type { ThrottleCount, ThrottleStore, ThrottleTake } from '../ports/throttle-store';
import type { RetryLaterError } from './errors';

/** Seconds a client is asked to wait while the counters cannot be reached. */
export const STORE_UNREACHABLE_RETRY_AFTER_SECONDS = 5;

/** Whole seconds until a window ends, at least 1: a client told 0 would retry at once. */
export function retryAfterSeconds(resetInMs: number): number {
  return Math.max(1, Math.ceil(resetInMs / 1000));
}

/** What a rule raises: its limit is reached, or its counter cannot be reached. */
export interface LimitErrors {
  tooMany(retryAfterSeconds: number): RetryLaterError;
  unavailable(retryAfterSeconds: number, cause: unknown): RetryLaterError;
}

/** One counter of the limiter: so many per window, under a key drawn from the input. */
export interface LimitRule<Input> {
  /** Names the rule for people (login.account, reset.ip, ...); the stored key is `key`'s. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /**
   * The counter's key in the store for this input, or undefined when the rule does not
   * apply to it (no client address). Stored keys outlive releases: running deployments
   * keep counting only while a rule's keys stay as they are.
   */
  key(input: Input): string | undefined;
  /**
   * On success the counter starts again (the account proved its owner); otherwise the
   * unit is given back (an address is not cleared by one good login).
   */
  readonly resetOnSuccess?: boolean;
  readonly errors: LimitErrors;
}

/** Units reserved before the work they guard (a password or code check) is done. */
export interface Reservation {
  /** The work succeeded: each counter is reset or gets its unit back, as its rule says (resetOnSuccess). */
  succeeded(): Promise<void>;
  /** The work could not be done (overload, outage): every unit is given back. */
  abandoned(): Promise<void>;
  /** Whether this reservation took the last unit of one of its rules' windows. */
  readonly exhausted: boolean;
}

interface Counter<Input> {
  rule: LimitRule<Input>;
  key: string;
}

/**
 * Counters in fixed windows over a ThrottleStore, one per rule that applies to an input.
 * Two ways to count: `reserve` takes a unit below each limit before the work is done (a
 * refused attempt is not counted), `count` counts every request, refused ones too.
 * Without its counters it fails closed: nothing is let through while none can be read.
 */
export class Limiter<Input> {
  constructor(
    private readonly store: ThrottleStore,
    readonly rules: ReadonlyArray<LimitRule<Input>>,
  ) {}

  /**
   * Takes a unit of every counter, each in one atomic step: however many callers race, at
   * most each limit get through per window. A unit kept is a failure counted. Throws the
   * rule's tooMany error, having given back what it took, when any counter is at its limit.
   */
  async reserve(input: Input): Promise<Reservation> {
    const counters = this.counters(input);
    const takes = await Promise.allSettled(counters.map(({ rule, key }) => this.store.take(key, rule.limit, rule.windowMs)));
    const taken = counters.filter((_, i) => isTaken(takes[i]!));
    const failed = takes.findIndex((take) => take.status === 'rejected');
    if (failed >= 0) {
      await this.giveBack(taken);
      throw unavailable(counters[failed]!.rule, (takes[failed] as PromiseRejectedResult).reason);
    }
    const answers = takes.map((take) => (take as PromiseFulfilledResult<ThrottleTake>).value);
    const refused = answers.findIndex((take) => !take.taken);
    if (refused >= 0) {
      await this.giveBack(taken);
      throw tooMany(counters[refused]!.rule, answers.filter((take) => !take.taken));
    }
    return {
      exhausted: answers.some((take, i) => take.count >= counters[i]!.rule.limit),
      succeeded: () => this.settle(taken),
      abandoned: () => this.giveBack(taken),
    };
  }

  /** Counts one request on every counter; the rule's tooMany error past any limit. */
  async count(input: Input): Promise<void> {
    const counters = this.counters(input);
    const counts = await Promise.all(counters.map(({ rule, key }) => this.store.hit(key, rule.windowMs).catch((error: unknown) => failWith(rule, error))));
    const over = counters.findIndex(({ rule }, i) => counts[i]!.count > rule.limit);
    if (over >= 0) throw tooMany(counters[over]!.rule, counts.filter((count, i) => count.count > counters[i]!.rule.limit));
  }

  private counters(input: Input): Array<Counter<Input>> {
    return this.rules.flatMap((rule) => {
      const key = rule.key(input);
      return key === undefined ? [] : [{ rule, key }];
    });
  }

  // A counter that cannot be reset would go on refusing its owner: that fails as the
  // reservation would have. Units given back stay best effort.
  private async settle(counters: Array<Counter<Input>>): Promise<void> {
    const resets = counters.filter(({ rule }) => rule.resetOnSuccess);
    await Promise.all([
      ...resets.map(({ rule, key }) => this.store.reset(key).catch((error: unknown) => failWith(rule, error))),
      this.giveBack(counters.filter(({ rule }) => !rule.resetOnSuccess)),
    ]);
  }

  // Best effort: a unit that cannot be given back only counts as one more failure.
  private async giveBack(counters: Array<Counter<Input>>): Promise<void> {
    await Promise.allSettled(counters.map(({ key }) => this.store.giveBack(key)));
  }
}

function isTaken(take: PromiseSettledResult<ThrottleTake>): boolean {
  return take.status === 'fulfilled' && take.value.taken;
}

// The client waits for the last of the windows that refused it.
function tooMany<Input>(rule: LimitRule<Input>, refusing: ThrottleCount[]): RetryLaterError {
  return rule.errors.tooMany(retryAfterSeconds(Math.max(...refusing.map((count) => count.resetInMs))));
}

function unavailable<Input>(rule: LimitRule<Input>, cause: unknown): RetryLaterError {
  return rule.errors.unavailable(STORE_UNREACHABLE_RETRY_AFTER_SECONDS, cause);
}

function failWith<Input>(rule: LimitRule<Input>, cause: unknown): never {
  throw unavailable(rule, cause);
}
