import { createHash, randomBytes } from 'node:crypto';
import { MAIL_TOPIC, OutboxWorker, mailDelivery } from '../src';
import type { Clock, Mailer, OutboxHandler, OutboxStore, OutboxWorkerDeps, PasswordHasher } from '../src';

/** A fast salted hasher with a visible cost, so tests can exercise rehashing. */
export class FakeHasher implements PasswordHasher {
  verifications = 0;
  constructor(readonly cost = 2) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(8).toString('hex');
    return `fake$${this.cost}$${salt}$${digest(salt, password)}`;
  }

  async verify(password: string, hashed: string): Promise<boolean> {
    this.verifications++;
    const [, , salt, hash] = hashed.split('$');
    return salt !== undefined && digest(salt, password) === hash;
  }

  needsRehash(hashed: string): boolean {
    return Number(hashed.split('$')[1]) < this.cost;
  }
}

function digest(salt: string, password: string): string {
  return createHash('sha256').update(`${salt}:${password}`).digest('hex');
}

export class FakeClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/**
 * An outbox worker over a store (the memory stores' outbox) that sends its emails through
 * `mailer`, and runs the follow-ups of the given services (their outboxHandlers).
 */
export function mailOutbox(store: OutboxStore, mailer: Mailer, deps: Partial<OutboxWorkerDeps> = {}): OutboxWorker & { serve(...services: HandlerSource[]): OutboxWorker } {
  const worker = new OutboxWorker({ store, ...deps, settings: { drainMs: 2000, ...deps.settings } }).handle(MAIL_TOPIC, mailDelivery(mailer));
  return Object.assign(worker, {
    serve(...services: HandlerSource[]): OutboxWorker {
      for (const service of services) for (const [topic, handler] of Object.entries(service.outboxHandlers())) worker.handle(topic, handler);
      return worker;
    },
  });
}

interface HandlerSource {
  outboxHandlers(): Record<string, OutboxHandler>;
}
