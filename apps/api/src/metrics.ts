import type { AuditLog, AuthEventType, PasswordHasher } from '@latchkey/domain';
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
    help: 'Sign-ins, by outcome: success (a session opened), failure (wrong email or password) or throttled.',
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

/** The audit events that end a sign-in, by the outcome the logins counter gives them. */
const LOGIN_OUTCOME_OF: Partial<Record<AuthEventType, LoginOutcome>> = {
  login_succeeded: 'success',
  login_failed: 'failure',
  // The right password of an address not yet verified is answered as a wrong one.
  login_unverified: 'failure',
  login_throttled: 'throttled',
};

/**
 * The audit trail, counting the sign-ins it records into the metrics: every way in (the
 * API, the hosted pages, a second factor completed, a passkey) records the same events,
 * where the HTTP statuses of one route would miss the others, and count a login waiting
 * for its second factor (401) as a failure.
 */
export function countedLogins(audit: AuditLog, metrics: Metrics): AuditLog {
  return {
    record: (event) => {
      const outcome = LOGIN_OUTCOME_OF[event.type];
      if (outcome) metrics.countLogin(outcome);
      return audit.record(event);
    },
    recent: (query) => audit.recent(query),
    deleteOlderThan: (cutoff, limit) => audit.deleteOlderThan(cutoff, limit),
  };
}
