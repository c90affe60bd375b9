import type { PasswordHasher } from '@latchkey/domain';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type LoginOutcome = 'success' | 'failure' | 'throttled';

/** The service's Prometheus metrics, in a registry of their own (one per app). */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'latchkey_http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly requestSeconds = new Histogram({
    name: 'latchkey_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
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

  // One label set per method, route and status seen: bounded, as the routes and Node's
  // list of HTTP methods are, and built once rather than for every request.
  private readonly requestLabels = new Map<string, { method: string; route: string; status: string }>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let labels = this.requestLabels.get(key);
    if (!labels) this.requestLabels.set(key, (labels = { method, route, status: String(status) }));
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
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
