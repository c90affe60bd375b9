import { describe, expect, it } from 'vitest';
import { MemoryOutboxStore } from '@latchkey/adapters';
import { DEFAULT_OUTBOX_SETTINGS, DeliveryTimeoutError, OutboxWorker, UndeliverableError, mailDelivery, mailMessage } from '../../src';
import type { ClaimedMessage, OutboxMessageFacts, OutboxStore, OutboxWorkerDeps } from '../../src';
import { FakeClock } from '../fakes';

const SECRET = 'token-0123456789';

function reset(to: string) {
  return mailMessage('reset_link', { to, subject: 'Reset', text: `https://x/reset?token=${SECRET}`, html: `<a href="https://x/reset?token=${SECRET}">x</a>` });
}

interface Logged {
  retries: Array<{ facts: OutboxMessageFacts; error: unknown; dueAt: number }>;
  failures: Array<{ facts: OutboxMessageFacts; error: unknown }>;
  errors: unknown[];
}

function worker(store: OutboxStore, deliver: (message: ClaimedMessage, signal: AbortSignal) => Promise<void>, deps: Partial<OutboxWorkerDeps> = {}) {
  const logged: Logged = { retries: [], failures: [], errors: [] };
  const clock = new FakeClock();
  const outbox = new OutboxWorker({
    store,
    clock,
    onRetry: (facts, error, dueAt) => logged.retries.push({ facts, error, dueAt }),
    onFailure: (facts, error) => logged.failures.push({ facts, error }),
    onError: (error) => logged.errors.push(error),
    ...deps,
  }).handle('mail', { deliver, describe: (m) => ({ to: String(m.payload.to) }) });
  return { outbox, logged, clock };
}

describe('the outbox worker', () => {
  it('delivers what it is woken for and deletes it', async () => {
    const store = new MemoryOutboxStore();
    const sent: string[] = [];
    const { outbox } = worker(store, async (m) => void sent.push(String(m.payload.to)));
    await outbox.add([reset('a@example.com'), reset('b@example.com')]);
    await outbox.drain();
    expect(sent).toEqual(['a@example.com', 'b@example.com']);
    expect(store.size).toBe(0);
  });

  it('retries 2 s, 4 s, 8 s later, then marks the message failed with its payload erased; logs never carry the payload', async () => {
    const store = new MemoryOutboxStore();
    let tries = 0;
    const { outbox, logged, clock } = worker(store, async () => {
      tries++;
      throw new Error('451 try later');
    });
    await store.add([reset('a@example.com')]);
    const start = clock.now();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(await outbox.runOnce()).toBe(1);
      expect(await outbox.runOnce()).toBe(0);
      const next = await store.nextDueAt(['mail']);
      if (next !== null) {
        waits.push(next - clock.now());
        clock.time = next;
      }
    }
    expect(tries).toBe(DEFAULT_OUTBOX_SETTINGS.attempts);
    expect(waits).toEqual([2000, 4000, 8000]);
    expect(clock.now() - start).toBe(14_000);
    expect(logged.retries.map((r) => r.facts.attempts)).toEqual([1, 2, 3]);
    expect(logged.failures).toHaveLength(1);
    expect(logged.failures[0]!.facts).toEqual({ id: 1, topic: 'mail', kind: 'reset_link', attempts: 4, to: 'a@example.com' });
    expect(JSON.stringify([logged.retries.map((r) => r.facts), logged.failures.map((f) => f.facts)])).not.toContain(SECRET);
    // Failed: kept (bounded by failedRetentionMs), never claimed again, payload gone.
    expect(store.size).toBe(1);
    expect(await store.nextDueAt(['mail'])).toBeNull();
    clock.advance(DEFAULT_OUTBOX_SETTINGS.failedRetentionMs + 3600_000);
    expect(await outbox.runOnce()).toBe(0);
    expect(await store.deleteFailedBefore(clock.now() - DEFAULT_OUTBOX_SETTINGS.failedRetentionMs, 10)).toBe(1);
  });

  it('caps the backoff at maxBackoffMs', async () => {
    const store = new MemoryOutboxStore();
    const { outbox, logged, clock } = worker(store, async () => Promise.reject(new Error('down')), {
      settings: { attempts: 10, backoffMs: 1000, maxBackoffMs: 5000 },
    });
    await store.add([reset('a@example.com')]);
    for (let i = 0; i < 5; i++) {
      await outbox.runOnce();
      clock.time = (await store.nextDueAt(['mail']))!;
    }
    const gaps = logged.retries.map((r, i) => r.dueAt - (i === 0 ? Date.UTC(2026, 0, 1) : logged.retries[i - 1]!.dueAt));
    expect(gaps).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('gives up at once on a message no retry can deliver', async () => {
    const store = new MemoryOutboxStore();
    const { outbox, logged } = worker(store, async () => Promise.reject(new UndeliverableError('not an email')));
    await store.add([reset('a@example.com')]);
    await outbox.runOnce();
    expect(logged.failures.map((f) => f.facts.attempts)).toEqual([1]);
    expect(logged.retries).toEqual([]);
  });

  it('ends a delivery past deliveryTimeoutMs, aborting its signal, and tries again later', async () => {
    const store = new MemoryOutboxStore();
    let aborted: unknown;
    const { outbox, logged } = worker(
      store,
      (_m, signal) =>
        new Promise<void>(() => {
          signal.addEventListener('abort', () => (aborted = signal.reason));
        }),
      { settings: { deliveryTimeoutMs: 50, leaseMs: 1000 } },
    );
    await store.add([reset('a@example.com')]);
    const started = performance.now();
    await outbox.runOnce();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(aborted).toBeInstanceOf(DeliveryTimeoutError);
    expect(logged.retries[0]!.error).toBeInstanceOf(DeliveryTimeoutError);
  });

  it('claims a bounded batch per poll, oldest first, and leaves topics it has no handler for alone', async () => {
    const store = new MemoryOutboxStore();
    const sent: string[] = [];
    const { outbox } = worker(store, async (m) => void sent.push(String(m.payload.to)), { settings: { batch: 20 } });
    await store.add([{ topic: 'webhook', kind: 'user.created', payload: { url: 'https://hooks.example' } }]);
    await store.add(Array.from({ length: 45 }, (_, i) => reset(`u${i}@example.com`)));
    expect(await outbox.runOnce()).toBe(20);
    expect(sent.slice(0, 3)).toEqual(['u0@example.com', 'u1@example.com', 'u2@example.com']);
    expect(await outbox.runOnce()).toBe(20);
    expect(await outbox.runOnce()).toBe(5);
    expect(await outbox.runOnce()).toBe(0);
    expect(store.size).toBe(1);
  });

  it('drains what is due and the retries due before its deadline, and leaves later ones stored', async () => {
    const store = new MemoryOutboxStore();
    let tries = 0;
    const { outbox, logged } = worker(
      store,
      async () => {
        if (++tries < 3) throw new Error('451');
      },
      { clock: { now: () => Date.now() }, settings: { backoffMs: 30 } },
    );
    await store.add([reset('a@example.com')]);
    await outbox.drain(2000);
    expect(tries).toBe(3);
    expect(store.size).toBe(0);

    const slow = worker(store, async () => Promise.reject(new Error('451')), { clock: { now: () => Date.now() }, settings: { backoffMs: 60_000 } });
    await store.add([reset('b@example.com')]);
    const started = performance.now();
    await slow.outbox.drain(500);
    expect(performance.now() - started).toBeLessThan(400);
    expect(store.size).toBe(1);
    expect(logged.failures).toEqual([]);
  });

  it('gives up waiting for a delivery at the drain deadline, leaving the message claimed for a later worker', async () => {
    const store = new MemoryOutboxStore();
    let started = false;
    const { outbox } = worker(store, () => new Promise<void>(() => void (started = true)), { settings: { deliveryTimeoutMs: 10_000, leaseMs: 20_000 } });
    await outbox.add([reset('a@example.com')]);
    const closing = performance.now();
    await outbox.close(200);
    const took = performance.now() - closing;
    expect(started).toBe(true);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1000);
    expect(store.size).toBe(1);
    expect(await store.nextDueAt(['mail'])).toBeGreaterThan(Date.UTC(2026, 0, 1));
  });

  it('reports a store that fails and keeps going once it works again', async () => {
    const store = new MemoryOutboxStore();
    let broken = true;
    const flaky: OutboxStore = Object.assign(Object.create(store) as OutboxStore, {
      claim: (options: Parameters<OutboxStore['claim']>[0]) => (broken ? Promise.reject(new Error('database is down')) : store.claim(options)),
    });
    const sent: string[] = [];
    const { outbox, logged } = worker(flaky, async (m) => void sent.push(String(m.payload.to)));
    await store.add([reset('a@example.com')]);
    await outbox.drain(100);
    expect((logged.errors[0] as Error).message).toBe('database is down');
    broken = false;
    await outbox.drain(1000);
    expect(sent).toEqual(['a@example.com']);
  });

  it('after close, ignores wake-ups and polls no more', async () => {
    const store = new MemoryOutboxStore();
    const sent: string[] = [];
    const { outbox } = worker(store, async (m) => void sent.push(String(m.payload.to)));
    outbox.start();
    await outbox.close();
    await store.add([reset('a@example.com')]);
    outbox.wake();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toEqual([]);
  });

  it('sends an email payload through a mailer, refusing one that is no email', async () => {
    const sent: unknown[] = [];
    const handler = mailDelivery({ send: async (message, options) => void sent.push([message, options?.signal instanceof AbortSignal]) });
    const message = { ...reset('a@example.com'), id: 1, attempts: 1, claim: 'c' };
    await handler.deliver(message, new AbortController().signal);
    expect(sent).toEqual([[message.payload, true]]);
    expect(handler.describe!(message)).toEqual({ to: 'a@example.com' });
    await expect(handler.deliver({ ...message, payload: { to: 'a@example.com' } }, new AbortController().signal)).rejects.toBeInstanceOf(UndeliverableError);
  });

  it('refuses a lease no longer than the delivery deadline', () => {
    expect(() => new OutboxWorker({ store: new MemoryOutboxStore(), settings: { deliveryTimeoutMs: 1000, leaseMs: 1000 } })).toThrow(RangeError);
  });
});
