import type { PasswordHasher } from '@latchkey/domain';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REQUEST_BUCKETS, RequestSeries } from './request-series';

export type LoginOutcome = 'success' | 'failure' | 'throttled';

/** The service's Prometheus metrics, in a registry of their own (one per app). */
export class Metrics {
  readonly registry = new Registry();
  // Counted in plain records rather than in prom-client's Counter and Histogram, which hash
  // the label set on every call; the registry reads them when scraped (same names and series).
  private readonly requestSeries = new RequestSeries(REQUEST_BUCKETS, this.registry);
  private readonly logins = new Counter({
    name: 'latchkey_logins_total',
    help: 'Login attempts, by outcome: success, failure (wrong email or password) or throttled.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly hashSeconds = new Histogram({
    name: 'latchkey_password_hash_duration_seconds',
    help: 'Time bcrypt takes, by operation: hash (new password) or verify (login).',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const outcome of ['success', 'failure', 'throttled'] as const) this.logins.inc({ outcome }, 0);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestSeries.observe(method, route, status, seconds);
  }

  countLogin(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  observeHash(operation: 'hash' | 'verify', seconds: number): void {
    this.hashSeconds.observe({ operation }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The hasher, timed into the metrics: bcrypt is where a login spends its time. */
export function timedHasher(hasher: PasswordHasher, metrics: Metrics): PasswordHasher {
  const timed = async <T>(operation: 'hash' | 'verify', run: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    try {
      return await run();
    } finally {
      metrics.observeHash(operation, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  return {
    hash: (password) => timed('hash', () => hasher.hash(password)),
    verify: (password, hashedPassword) => timed('verify', () => hasher.verify(password, hashedPassword)),
    needsRehash: (hashedPassword) => hasher.needsRehash(hashedPassword),
  };
}
