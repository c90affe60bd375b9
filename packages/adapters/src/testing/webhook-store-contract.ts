import type { ContractTestApi } from './test-api';
import type {
  AccountRepository,
  ClaimedDelivery,
  EmailTokenRepository,
  OutboxMessage,
  SecondFactorRepository,
  SessionRepository,
  UserRepository,
  WebhookEventType,
  WebhookStore,
} from '@latchkey/domain';
import { UserAlreadyExistsError, webhookMessage } from '@latchkey/domain';
import { newSession } from './session-repository-contract';

/** A webhook store and the repositories whose changes write events, on one storage. */
export interface WebhookStoreFixture {
  store: WebhookStore;
  /** The same storage through another connection (as another instance has it); the races run across both. */
  rival?: WebhookStore;
  users: UserRepository;
  sessions: SessionRepository;
  accounts: AccountRepository;
  emailTokens: EmailTokenRepository;
  factors: SecondFactorRepository;
  close?: () => Promise<void>;
}

/** Rounds of the claim race; each runs both claimers at once. */
export const WEBHOOK_RACE_ROUNDS = 20;

const NOW = 7_000_000;
const LEASE = 60_000;
let claims = 0;
const token = () => `claim-${++claims}-${Math.random().toString(36).slice(2)}`;
const ok = (at = NOW) => ({ at, status: 204, error: null });
const refused = (at = NOW) => ({ at, status: 503, error: 'HTTP 503' });

function event(type: WebhookEventType, userId: number, extra: Record<string, string> = {}): OutboxMessage {
  return webhookMessage(type, { user_id: userId, email: `u${userId}@example.com`, ...extra }, NOW);
}

/**
 * The behaviour every WebhookStore adapter must show: events written by the changes of the
 * same storage (and only by changes that commit), moved into one delivery per endpoint
 * that wants them, claimed one per user and endpoint at a time in event order, leased,
 * settled only by their claim's holder, listed, replayed and pruned; claims racing across
 * two connections never take one delivery twice nor two of one user at once.
 */
export function webhookStoreContract({ describe, it, expect, beforeEach, afterEach }: ContractTestApi, name: string, open: () => Promise<WebhookStoreFixture>): void {
  describe(`WebhookStore contract: ${name}`, () => {
    let f: WebhookStoreFixture;
    let n = 0;
    beforeEach(async () => {
      f = await open();
    });
    afterEach(async () => {
      await f.close?.();
    });

    const endpoint = (url = 'https://hooks.example.com/latchkey', events: WebhookEventType[] | null = null) =>
      f.store.addEndpoint({ url, events, secrets: [{ sealed: 'sealed-1', expiresAt: null }], createdAt: NOW });
    const addUser = (messages?: (user: { id: number; email: string }) => readonly OutboxMessage[]) =>
      f.users.addUser(`webhook-${++n}-${Math.random().toString(36).slice(2, 8)}@example.com`, 'hash', messages);
    const claimAll = (store = f.store, now = NOW) => store.claim({ now, limit: 100, leaseMs: LEASE, claim: token() });
    const body = (delivery: ClaimedDelivery) => JSON.parse(delivery.body) as { type: string; timestamp: string; data: Record<string, unknown> };

    it('stores endpoints: listed, found, their secrets replaced only while still the ones read, removed with their deliveries', async () => {
      const a = await endpoint('https://a.example.com/hook', ['user.created']);
      const b = await endpoint('http://127.0.0.1:9/hook');
      expect((await f.store.listEndpoints()).map((e) => e.url)).toEqual(['https://a.example.com/hook', 'http://127.0.0.1:9/hook']);
      expect(await f.store.findEndpoint(a.id)).toMatchObject({ id: a.id, events: ['user.created'], secrets: [{ sealed: 'sealed-1', expiresAt: null }] });
      const next = [{ sealed: 'sealed-2', expiresAt: null }, { sealed: 'sealed-1', expiresAt: NOW + 10 }];
      expect(await f.store.replaceSecrets(a.id, a.secrets, next)).toBe(true);
      // A second rotation that read the old secrets loses.
      expect(await f.store.replaceSecrets(a.id, a.secrets, [{ sealed: 'sealed-3', expiresAt: null }])).toBe(false);
      expect((await f.store.findEndpoint(a.id))!.secrets).toEqual(next);
      await addUser((user) => [event('user.created', user.id)]);
      expect(await f.store.fanOut(10, NOW)).toBe(1);
      expect(await f.store.listDeliveries({ limit: 10 })).toHaveLength(2);
      expect(await f.store.removeEndpoint(b.id)).toBe(true);
      expect(await f.store.removeEndpoint(b.id)).toBe(false);
      expect((await f.store.listDeliveries({ limit: 10 })).map((d) => d.endpointId)).toEqual([a.id]);
      expect(await f.store.findEndpoint(b.id)).toBeNull();
    });

    it('moves the events that changes wrote into one delivery per endpoint wanting them, bodies in the Standard Webhooks shape', async () => {
      const all = await endpoint('https://all.example.com/');
      const some = await endpoint('https://some.example.com/', ['session.created']);
      const user = await addUser((made) => [event('user.created', made.id)]);
      const session = newSession(user.id, NOW);
      expect(await f.sessions.open(session, 'hash', [event('session.created', user.id, { session_id: session.id })])).toBe(true);
      await f.sessions.endAll(user.id, (ended) => ended.map((s) => event('session.revoked', s.userId, { session_id: s.id })));
      expect(await f.accounts.markVerified(user.id, NOW, [event('user.email_verified', user.id)])).toBe(true);
      expect(await f.store.nextDueAt(NOW)).toBe(NOW);
      expect(await f.store.fanOut(2, NOW)).toBe(2);
      expect(await f.store.fanOut(10, NOW)).toBe(2);
      expect(await f.store.fanOut(10, NOW)).toBe(0);
      const deliveries = await f.store.listDeliveries({ limit: 10 });
      expect(deliveries.filter((d) => d.endpointId === all.id).map((d) => d.eventType).reverse()).toEqual([
        'user.created',
        'session.created',
        'session.revoked',
        'user.email_verified',
      ]);
      expect(deliveries.filter((d) => d.endpointId === some.id).map((d) => d.eventType)).toEqual(['session.created']);
      expect(deliveries.every((d) => d.state === 'pending' && d.attempts === 0 && d.userId === user.id)).toBe(true);
      const [first] = await claimAll();
      expect(body(first!)).toEqual({ type: 'user.created', timestamp: new Date(NOW).toISOString(), data: { user_id: user.id, email: `u${user.id}@example.com` } });
      expect(first).toMatchObject({ endpointId: all.id, url: 'https://all.example.com/', attempts: 1, startedAt: NOW, secrets: [{ sealed: 'sealed-1', expiresAt: null }] });
      expect(first!.eventId.startsWith('msg_')).toBe(true);
    });

    it('writes no event for a change that did not happen', async () => {
      await endpoint();
      const user = await addUser();
      await expect(f.users.addUser(user.email, 'hash', (made) => [event('user.created', made.id)])).rejects.toBeInstanceOf(UserAlreadyExistsError);
      expect(await f.sessions.open(newSession(user.id, NOW), 'another hash', [event('session.created', user.id)])).toBe(false);
      expect(await f.sessions.endAll(user.id, (ended) => ended.map((s) => event('session.revoked', s.userId)))).toEqual([]);
      expect(await f.accounts.changePassword(user.id, 'not the hash', 'new', 'none', () => [event('user.password_changed', user.id)])).toBeNull();
      expect(await f.accounts.markVerified(user.id + 1000, NOW, [event('user.email_verified', user.id + 1000)])).toBe(false);
      expect(await f.factors.remove(user.id, [event('second_factor.disabled', user.id)])).toBe(false);
      expect(await f.store.fanOut(10, NOW)).toBe(0);
      expect(await f.store.nextDueAt(NOW)).toBeNull();
    });

    it('writes the events of second factors and password changes in their step, made from the sessions ended', async () => {
      await endpoint();
      const user = await addUser();
      await f.factors.startEnrolment(user.id, 'sealed', NOW);
      expect(await f.factors.enable(user.id, 'sealed', 1, ['d'.repeat(64)], NOW, [event('second_factor.enabled', user.id)])).toBe(true);
      const kept = newSession(user.id, NOW);
      const other = newSession(user.id, NOW);
      await f.sessions.open(kept, 'hash');
      await f.sessions.open(other, 'hash');
      const ended = await f.accounts.changePassword(user.id, 'hash', 'new hash', kept.id, (sessions) => [
        event('user.password_changed', user.id),
        ...sessions.map((s) => event('session.revoked', s.userId, { session_id: s.id })),
      ]);
      expect(ended?.map((s) => s.id)).toEqual([other.id]);
      expect(await f.factors.remove(user.id, [event('second_factor.disabled', user.id)])).toBe(true);
      await f.store.fanOut(10, NOW);
      const deliveries = (await f.store.listDeliveries({ limit: 10 })).reverse();
      expect(deliveries.map((d) => d.eventType)).toEqual(['second_factor.enabled', 'user.password_changed', 'session.revoked', 'second_factor.disabled']);
    });

    it('claims one delivery per user and endpoint at a time, in event order; a failing one holds the later ones back until given up', async () => {
      const hook = await endpoint();
      const alice = await addUser();
      const bob = await addUser();
      for (const type of ['user.created', 'session.created', 'session.revoked'] as const) {
        await f.sessions.open(newSession(alice.id, NOW), 'hash', [event(type, alice.id)]);
        await f.sessions.open(newSession(bob.id, NOW), 'hash', [event(type, bob.id)]);
      }
      await f.store.fanOut(100, NOW);
      const first = await claimAll();
      expect(first.map((d) => [d.endpointId, body(d).data.user_id, d.eventType])).toEqual([
        [hook.id, alice.id, 'user.created'],
        [hook.id, bob.id, 'user.created'],
      ]);
      // Claimed and leased: nothing more of these users, even once due time passes, until the lease ends.
      expect(await claimAll(f.store, NOW + 1000)).toEqual([]);
      const [a1, b1] = first;
      expect(await f.store.retry(a1!.id, a1!.claim, NOW + 5000, refused())).toBe(true);
      expect(await f.store.delivered(b1!.id, b1!.claim, ok())).toBe(true);
      // Alice's first is due later: her second waits; Bob's second goes.
      expect((await claimAll(f.store, NOW + 10)).map((d) => [body(d).data.user_id, d.eventType])).toEqual([[bob.id, 'session.created']]);
      const [again] = await claimAll(f.store, NOW + 5000);
      expect(again).toMatchObject({ id: a1!.id, attempts: 2, eventId: a1!.eventId, body: a1!.body });
      expect(await f.store.fail(again!.id, again!.claim, refused(NOW + 5000))).toBe(true);
      expect((await claimAll(f.store, NOW + 5000)).map((d) => d.eventType)).toEqual(['session.created']);
      const failed = await f.store.listDeliveries({ state: 'failed', limit: 10 });
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ id: a1!.id, state: 'failed', attempts: 2, lastStatus: 503, lastError: 'HTTP 503', settledAt: NOW + 5000, nextAttemptAt: null });
    });

    it('settles a delivery only through the claim that holds it; a lease that ran out lets another claim it', async () => {
      await endpoint();
      const user = await addUser((made) => [event('user.created', made.id)]);
      await f.store.fanOut(10, NOW);
      const [held] = await claimAll();
      const [taken] = await claimAll(f.store, NOW + LEASE);
      expect(taken).toMatchObject({ id: held!.id, attempts: 2 });
      expect(await f.store.delivered(held!.id, held!.claim, ok())).toBe(false);
      expect(await f.store.retry(held!.id, held!.claim, NOW, refused())).toBe(false);
      expect(await f.store.delivered(taken!.id, taken!.claim, ok(NOW + LEASE))).toBe(true);
      expect(await f.store.delivered(taken!.id, taken!.claim, ok())).toBe(false);
      expect(await f.store.nextDueAt(NOW)).toBeNull();
      expect((await f.store.listDeliveries({ state: 'delivered', limit: 5 }))[0]).toMatchObject({ userId: user.id, attempts: 2, lastStatus: 204, lastError: null });
    });

    it('replays a settled delivery with its id and body, its retries starting again; prunes settled ones past a cutoff', async () => {
      await endpoint();
      await addUser((made) => [event('user.created', made.id)]);
      await addUser((made) => [event('user.created', made.id)]);
      await f.store.fanOut(10, NOW);
      const [one, two] = await claimAll();
      await f.store.delivered(one!.id, one!.claim, ok(NOW));
      await f.store.fail(two!.id, two!.claim, refused(NOW + 100));
      expect(await f.store.replay(one!.id, NOW + 200)).toBe(true);
      expect(await f.store.replay(one!.id, NOW + 200)).toBe(false);
      expect(await f.store.replay(9_999_999, NOW)).toBe(false);
      const [replayed] = await claimAll(f.store, NOW + 200);
      expect(replayed).toMatchObject({ id: one!.id, eventId: one!.eventId, body: one!.body, attempts: 1, startedAt: NOW + 200 });
      await f.store.delivered(replayed!.id, replayed!.claim, ok(NOW + 300));
      expect(await f.store.deleteSettledBefore(NOW + 200, 10)).toBe(1);
      expect((await f.store.listDeliveries({ limit: 10 })).map((d) => d.id)).toEqual([one!.id]);
      expect(await f.store.deleteSettledBefore(NOW + 1000, 10)).toBe(1);
      expect(await f.store.listDeliveries({ limit: 10 })).toEqual([]);
    });

    it('moves an event once: racing fan-outs and claims across two connections take no delivery twice, nor two of one user at once', async () => {
      const rival = f.rival ?? f.store;
      await endpoint();
      const users = [await addUser(), await addUser(), await addUser()];
      for (let round = 0; round < WEBHOOK_RACE_ROUNDS; round++) {
        for (const user of users) await f.sessions.open(newSession(user.id, NOW), 'hash', [event('session.created', user.id, { round: String(round) })]);
      }
      await Promise.all([f.store.fanOut(25, NOW), rival.fanOut(25, NOW), f.store.fanOut(25, NOW), rival.fanOut(25, NOW)]);
      while ((await f.store.fanOut(100, NOW)) > 0);
      const total = WEBHOOK_RACE_ROUNDS * users.length;
      expect(await f.store.listDeliveries({ limit: total + 10 })).toHaveLength(total);
      const seen = new Map<number, string[]>();
      for (let round = 0; round < WEBHOOK_RACE_ROUNDS + 5; round++) {
        const [mine, theirs] = await Promise.all([claimAll(f.store), claimAll(rival)]);
        const both = [...mine, ...theirs];
        const perUser = both.map((d) => Number(body(d).data.user_id));
        expect(new Set(perUser).size).toBe(perUser.length);
        for (const d of both) {
          const rounds = seen.get(Number(body(d).data.user_id)) ?? [];
          rounds.push(String(body(d).data.round));
          seen.set(Number(body(d).data.user_id), rounds);
          expect(await (mine.includes(d) ? f.store : rival).delivered(d.id, d.claim, ok())).toBe(true);
        }
      }
      const expected = Array.from({ length: WEBHOOK_RACE_ROUNDS }, (_, round) => String(round));
      for (const user of users) expect(seen.get(user.id)).toEqual(expected);
    });
  });
}
