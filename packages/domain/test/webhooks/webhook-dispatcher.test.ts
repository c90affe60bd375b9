import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmSecretBox, MemorySecondFactorRepository, MemoryWebhookStore, StandardWebhooksSigner, memoryStores } from '@latchkey/adapters';
import { WebhookDispatcher, WebhookEndpoints, createAuth, webhookMessage } from '../../src';
import type { WebhookRequest, WebhookSender } from '../../src';
import { FakeClock } from '../fakes';

/** A receiver answering from a script, keeping what it got with the clock's time. */
class ScriptedReceiver implements WebhookSender {
  readonly got: Array<WebhookRequest & { at: number }> = [];
  constructor(
    private readonly clock: FakeClock,
    readonly answers: Array<number | Error> = [],
  ) {}
  async send(request: WebhookRequest): Promise<{ status: number }> {
    this.got.push({ ...request, at: this.clock.now() });
    const answer = this.answers.shift() ?? 204;
    if (answer instanceof Error) throw answer;
    return { status: answer };
  }
}

function setup(answers: Array<number | Error> = [], settings = {}) {
  const clock = new FakeClock();
  const stores = memoryStores();
  const store = new MemoryWebhookStore(stores.outbox);
  const box = new AesGcmSecretBox([randomBytes(32)]);
  const receiver = new ScriptedReceiver(clock, answers);
  const failures: string[] = [];
  const dispatcher = new WebhookDispatcher({
    store,
    signer: new StandardWebhooksSigner(),
    sender: receiver,
    box,
    clock,
    random: () => 0.5,
    settings: { backoffMs: 1000, retryMs: 10_000, ...settings },
    onFailure: (facts, error) => failures.push(`${facts.type}: ${error}`),
  });
  const endpoints = new WebhookEndpoints({ store, box, clock, wake: () => dispatcher.wake() });
  const auth = createAuth({
    ...stores,
    hasher: { hash: async (p) => `h:${p}`, verify: async (p, h) => h === `h:${p}`, needsRehash: () => false },
    clock,
    webhooks: { subscriptions: endpoints, wake: () => dispatcher.wake() },
    secondFactor: { factors: new MemorySecondFactorRepository(stores.outbox), pendingLogins: { add: async () => {}, find: async () => null, take: async () => null, endAll: async () => 0, deleteExpired: async () => 0 }, box },
  });
  return { clock, store, stores, receiver, dispatcher, endpoints, auth, failures };
}

describe('the webhook dispatcher (memory adapters, a fake clock)', () => {
  it('retries with exponential backoff and jitter, then gives up past the retry window; a given-up delivery no longer holds back the next', async () => {
    const { clock, stores, receiver, dispatcher, endpoints, failures, store } = setup([500, 500, 500, 500, 500, 500]);
    await endpoints.add('https://hooks.example.com/');
    stores.outbox.addNow([webhookMessage('user.created', { user_id: 1, email: 'a@example.com' }, clock.now())]);
    stores.outbox.addNow([webhookMessage('user.deleted', { user_id: 1, email: 'a@example.com' }, clock.now())]);
    const started = clock.now();
    await dispatcher.runOnce();
    // Jitter 0.5: three quarters of 1 s, 2 s, 4 s, 8 s (the last cut at the window's end).
    for (const wait of [750, 1500, 3000, 6000]) {
      expect(await dispatcher.runOnce()).toMatchObject({ attempted: 0 });
      clock.advance(wait);
      expect(await dispatcher.runOnce()).toMatchObject({ attempted: 1 });
    }
    expect(receiver.got.map((r) => r.at - started)).toEqual([0, 750, 2250, 5250, 11250]);
    expect(failures).toEqual(['user.created: HTTP 500']);
    expect((await store.listDeliveries({ state: 'failed', limit: 5 }))[0]).toMatchObject({ attempts: 5, lastStatus: 500 });
    // The user's next event goes once the first is given up.
    expect(await dispatcher.runOnce()).toMatchObject({ attempted: 1 });
    expect(JSON.parse(receiver.got.at(-1)!.body).type).toBe('user.deleted');
  });

  it('counts a network error or a deadline as a failed attempt, not a store failure', async () => {
    const { clock, stores, dispatcher, endpoints, store } = setup([new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') })]);
    await endpoints.add('http://127.0.0.1:9/hook');
    stores.outbox.addNow([webhookMessage('user.created', { user_id: 2, email: 'b@example.com' }, clock.now())]);
    await dispatcher.runOnce();
    expect((await store.listDeliveries({ limit: 1 }))[0]).toMatchObject({ state: 'pending', lastStatus: null, lastError: 'TypeError: fetch failed (connect ECONNREFUSED 127.0.0.1:9)' });
  });

  it('writes events only while an endpoint wants their type, and none for a change refused', async () => {
    const { stores, endpoints, auth, dispatcher, receiver } = setup();
    await auth.registerUser('nobody-listens@example.com', 'pass-1');
    expect(stores.outbox.size).toBe(0);
    await endpoints.add('https://hooks.example.com/', ['user.created']);
    await auth.registerUser('listened@example.com', 'pass-1');
    await expect(auth.registerUser('listened@example.com', 'pass-1')).rejects.toMatchObject({ code: 'user_already_exists' });
    expect(await auth.createSession('listened@example.com')).not.toBeNull();
    await dispatcher.drain();
    expect(receiver.got.map((r) => JSON.parse(r.body).data.email)).toEqual(['listened@example.com']);
  });
});
