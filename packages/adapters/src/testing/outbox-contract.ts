import type { ContractTestApi } from './test-api';
import type {
  AccountRepository,
  ClaimedMessage,
  EmailTokenRepository,
  JsonObject,
  OutboxMessage,
  OutboxStore,
  PasswordResetTokenRepository,
  SessionRepository,
  UserRepository,
} from '@latchkey/domain';
import { NoResultFound, OUTBOX_PAYLOAD_MAX_BYTES, OutboxWorker, UserAlreadyExistsError, auditEmailDigest } from '@latchkey/domain';
import { newSession } from './session-repository-contract';

/** An outbox and the repositories that write to it, all on one storage. */
export interface OutboxFixture {
  outbox: OutboxStore;
  /** The same storage through another connection (as another process has it); the races run across both. */
  rival?: OutboxStore;
  users: UserRepository;
  sessions: SessionRepository;
  resetTokens: PasswordResetTokenRepository;
  emailTokens: EmailTokenRepository;
  accounts: AccountRepository;
  close?: () => Promise<void>;
}

/** Rounds of the claim race; every round runs its claimers concurrently. */
export const OUTBOX_RACE_ROUNDS = 30;

const NOW = 5_000_000;
const LEASE = 60_000;
const TOPICS = ['mail', 'other'];

let claims = 0;
const claimToken = () => `claim-${++claims}-${Math.random().toString(36).slice(2)}`;

function message(n: number, topic = 'mail', payload: JsonObject = { n }): OutboxMessage {
  return { topic, kind: `kind-${n}`, payload };
}

/**
 * The behaviour every OutboxStore adapter must show, and the atomicity of the repositories
 * of the same storage whose changes carry mail: a change and its messages are written
 * together, or neither.
 */
export function outboxContract({ describe, it, expect, beforeEach, afterEach }: ContractTestApi, name: string, open: () => Promise<OutboxFixture>): void {
  describe(`OutboxStore contract: ${name}`, () => {
    let f: OutboxFixture;
    let n = 0;

    beforeEach(async () => {
      f = await open();
    });
    afterEach(async () => {
      await f.close?.();
    });

    const claim = (store: OutboxStore, options: { now?: number; limit?: number; topics?: readonly string[]; claim?: string } = {}) =>
      store.claim({ now: options.now ?? NOW, limit: options.limit ?? 100, leaseMs: LEASE, topics: options.topics ?? TOPICS, claim: options.claim ?? claimToken() });
    /** Every message due now, claimed (so no longer due) and returned: what the storage holds. */
    const written = async () => (await claim(f.outbox)).map(({ topic, kind, payload }) => ({ topic, kind, payload }));
    const addUser = (hash = 'hash-1') => f.users.addUser(`outbox${++n}@example.com`, hash);
    const unserializable = (): OutboxMessage => ({ topic: 'mail', kind: 'broken', payload: { big: 1n } as unknown as JsonObject });

    it('claims what was added, oldest first, at most the limit, of the topics asked, counting the attempt', async () => {
      await f.outbox.add([message(1), message(2, 'other'), message(3, 'webhook'), message(4)]);
      const first = await claim(f.outbox, { limit: 2 });
      expect(first.map((m) => m.kind)).toEqual(['kind-1', 'kind-2']);
      expect(first[0]).toMatchObject({ topic: 'mail', kind: 'kind-1', payload: { n: 1 }, attempts: 1 });
      expect(first[0]!.claim).toBe(first[1]!.claim);
      const rest = await claim(f.outbox, { topics: ['mail'] });
      expect(rest.map((m) => m.kind)).toEqual(['kind-4']);
      expect(await claim(f.outbox, { topics: ['mail', 'other'] })).toEqual([]);
      expect((await claim(f.outbox, { topics: ['webhook'] })).map((m) => m.kind)).toEqual(['kind-3']);
      expect(await claim(f.outbox, { topics: [] })).toEqual([]);
    });

    it('keeps a payload as written: text, numbers, nesting, every character', async () => {
      const payload = { to: 'Zoë <zoe@example.com>', text: 'line 1\nline 2 — “quoted” 🔑', n: 42.5, ok: true, none: null, list: [1, 'two', { three: 3 }] };
      await f.outbox.add([{ topic: 'mail', kind: 'reset_link', payload }]);
      expect(await written()).toEqual([{ topic: 'mail', kind: 'reset_link', payload }]);
    });

    it('holds a claimed message until its lease ends; then another claim takes it and the first settles nothing', async () => {
      await f.outbox.add([message(1)]);
      const [held] = await claim(f.outbox, { claim: 'first' });
      expect(await claim(f.outbox, { now: NOW + LEASE - 1 })).toEqual([]);
      const [again] = await claim(f.rival ?? f.outbox, { now: NOW + LEASE, claim: 'second' });
      expect(again).toMatchObject({ id: held!.id, attempts: 2, claim: 'second' });
      expect(await f.outbox.delivered(held!.id, 'first')).toBe(false);
      expect(await f.outbox.retry(held!.id, 'first', NOW, 'late')).toBe(false);
      expect(await f.outbox.fail(held!.id, 'first', NOW, 'late')).toBe(false);
      expect(await f.outbox.delivered(held!.id, 'second')).toBe(true);
      expect(await f.outbox.delivered(held!.id, 'second')).toBe(false);
      expect(await claim(f.outbox, { now: NOW + 10 * LEASE })).toEqual([]);
    });

    it('makes a retried message due at its time, and gives up one for good: failed, payload erased, kept until deleted', async () => {
      await f.outbox.add([message(1), message(2)]);
      const [retried, failed] = await claim(f.outbox);
      expect(await f.outbox.retry(retried!.id, retried!.claim, NOW + 2000, 'Error: 451 try later')).toBe(true);
      expect(await f.outbox.fail(failed!.id, failed!.claim, NOW + 1, 'Error: 550 no such user')).toBe(true);
      expect(await f.outbox.nextDueAt(TOPICS)).toBe(NOW + 2000);
      expect(await claim(f.outbox, { now: NOW + 1999 })).toEqual([]);
      const [due] = await claim(f.outbox, { now: NOW + 2000 });
      expect(due).toMatchObject({ id: retried!.id, attempts: 2, payload: { n: 1 } });
      expect(await f.outbox.delivered(due!.id, due!.claim)).toBe(true);
      // The failed one is never claimed again.
      expect(await claim(f.outbox, { now: NOW + 100 * LEASE })).toEqual([]);
      expect(await f.outbox.nextDueAt(TOPICS)).toBeNull();
      expect(await f.outbox.deleteFailedBefore(NOW + 1, 10)).toBe(0);
      expect(await f.outbox.deleteFailedBefore(NOW + 2, 10)).toBe(1);
      expect(await f.outbox.deleteFailedBefore(NOW + 2, 10)).toBe(0);
    });

    it('deletes failed messages in bounded batches', async () => {
      await f.outbox.add([1, 2, 3, 4, 5].map((i) => message(i)));
      for (const m of await claim(f.outbox)) await f.outbox.fail(m.id, m.claim, NOW, 'gone');
      expect(await f.outbox.deleteFailedBefore(NOW + 1, 2)).toBe(2);
      expect(await f.outbox.deleteFailedBefore(NOW + 1, 10)).toBe(3);
    });

    it('tells when the next message of the topics is due: now for a new one, the lease end for a claimed one, none once delivered', async () => {
      expect(await f.outbox.nextDueAt(TOPICS)).toBeNull();
      await f.outbox.add([message(1), message(2, 'webhook')]);
      expect(await f.outbox.nextDueAt(['mail'])).toBeLessThanOrEqual(NOW);
      const [held] = await claim(f.outbox, { topics: ['mail'] });
      expect(await f.outbox.nextDueAt(['mail'])).toBe(NOW + LEASE);
      await f.outbox.delivered(held!.id, held!.claim);
      expect(await f.outbox.nextDueAt(['mail'])).toBeNull();
      expect(await f.outbox.nextDueAt([])).toBeNull();
    });

    it('refuses a payload it cannot store (not JSON, or too large), writing nothing', async () => {
      await expect(f.outbox.add([message(1), unserializable()])).rejects.toBeInstanceOf(TypeError);
      await expect(f.outbox.add([message(2, 'mail', { text: 'x'.repeat(OUTBOX_PAYLOAD_MAX_BYTES) })])).rejects.toBeInstanceOf(RangeError);
      expect(await written()).toEqual([]);
    });

    it(`gives each message to exactly one of racing claimers (${OUTBOX_RACE_ROUNDS} rounds, 4 claimers, 2 connections)`, async () => {
      let duplicates = 0;
      let missing = 0;
      let oversized = 0;
      for (let round = 0; round < OUTBOX_RACE_ROUNDS; round++) {
        const count = 12;
        await f.outbox.add(Array.from({ length: count }, (_, i) => message(round * 100 + i)));
        const stores = [f.outbox, f.rival ?? f.outbox, f.outbox, f.rival ?? f.outbox];
        const taken = await Promise.all(
          stores.map(async (store) => {
            const mine: ClaimedMessage[] = [];
            for (;;) {
              const batch = await claim(store, { limit: 2 });
              if (batch.length === 0) return mine;
              if (batch.length > 2) oversized++;
              mine.push(...batch);
            }
          }),
        );
        const ids = taken.flat().map((m) => m.id);
        duplicates += ids.length - new Set(ids).size;
        missing += count - new Set(ids).size;
        for (const m of taken.flat()) await f.outbox.delivered(m.id, m.claim);
      }
      expect(duplicates).toBe(0);
      expect(missing).toBe(0);
      expect(oversized).toBe(0);
      expect(await f.outbox.nextDueAt(TOPICS)).toBeNull();
    });

    it(`delivers each message once when two workers drain at once (${OUTBOX_RACE_ROUNDS} rounds)`, async () => {
      const deliveries = new Map<number, number>();
      const handler = { deliver: async (m: ClaimedMessage) => void deliveries.set(Number(m.payload.n), (deliveries.get(Number(m.payload.n)) ?? 0) + 1) };
      const workers = [f.outbox, f.rival ?? f.outbox].map((store) => new OutboxWorker({ store, settings: { batch: 3 } }).handle('mail', handler));
      for (let round = 0; round < OUTBOX_RACE_ROUNDS; round++) {
        await f.outbox.add(Array.from({ length: 10 }, (_, i) => message(round * 100 + i)));
        await Promise.all(workers.map((worker) => worker.drain()));
      }
      expect(deliveries.size).toBe(OUTBOX_RACE_ROUNDS * 10);
      expect([...deliveries.values()].filter((count) => count !== 1)).toEqual([]);
    });

    describe('repositories write the mail of a change in its step', () => {
      it('UserRepository.addUser: the user and its messages, or, for a taken address, neither', async () => {
        const user = await f.users.addUser('writer@example.com', 'hash', [message(1)]);
        expect(await written()).toEqual([message(1)]);
        await expect(f.users.addUser('WRITER@example.com', 'hash', [message(2)])).rejects.toBeInstanceOf(UserAlreadyExistsError);
        expect(await written()).toEqual([]);
        expect((await f.users.findUserBy({ email: 'writer@example.com' })).id).toBe(user.id);
      });

      it('PasswordResetTokenRepository.issue: the token and its link, or, for an unknown user, neither', async () => {
        const user = await addUser();
        await f.resetTokens.issue({ userId: user.id, digest: 'a'.repeat(64), expiresAt: NOW + LEASE }, { now: NOW, keep: 3 }, [message(1)]);
        expect(await written()).toEqual([message(1)]);
        expect(await f.resetTokens.consume('a'.repeat(64), { now: NOW })).toMatchObject({ userId: user.id });
        const unknown = f.resetTokens.issue({ userId: 999_999, digest: 'b'.repeat(64), expiresAt: NOW + LEASE }, { now: NOW, keep: 3 }, [message(2)]);
        await expect(unknown).rejects.toBeInstanceOf(NoResultFound);
        expect(await written()).toEqual([]);
      });

      it('EmailTokenRepository.issue: the link and its email, or, for an unknown user, neither', async () => {
        const user = await addUser();
        const link = { userId: user.id, digest: 'c'.repeat(64), purpose: 'verify' as const, email: user.email, expiresAt: NOW + LEASE };
        await f.emailTokens.issue(link, { now: NOW, keep: 3 }, [message(1), message(2)]);
        expect(await written()).toEqual([message(1), message(2)]);
        await expect(f.emailTokens.issue({ ...link, userId: 999_999, digest: 'd'.repeat(64) }, { now: NOW, keep: 3 }, [message(3)])).rejects.toBeInstanceOf(NoResultFound);
        expect(await written()).toEqual([]);
      });

      it('EmailTokenRepository.changeEmail: the notice made of the change as it takes effect; nothing when refused', async () => {
        const user = await addUser();
        const other = await addUser();
        const link = { userId: user.id, digest: 'e'.repeat(64), purpose: 'change' as const, email: other.email, expiresAt: NOW + LEASE };
        await f.emailTokens.issue(link, { now: NOW, keep: 3 });
        const notice = (change: { previousEmail: string; email: string }) => [message(1, 'mail', { from: change.previousEmail, to: change.email })];
        await expect(f.emailTokens.changeEmail(link.digest, NOW, notice)).rejects.toBeInstanceOf(UserAlreadyExistsError);
        expect(await f.emailTokens.changeEmail('f'.repeat(64), NOW, notice)).toBeNull();
        expect(await written()).toEqual([]);
        await f.users.updateUser(other.id, { email: 'elsewhere@example.com' });
        expect(await f.emailTokens.changeEmail(link.digest, NOW, notice)).toMatchObject({ previousEmail: user.email, email: other.email });
        expect(await written()).toEqual([message(1, 'mail', { from: user.email, to: other.email })]);
      });

      it('SessionRepository.changePassword (a reset): the new hash and its notice together', async () => {
        const user = await addUser('hash-1');
        await f.sessions.open(newSession(user.id, NOW), 'hash-1');
        expect(await f.sessions.changePassword(user.id, 'hash-2', [message(1)])).toHaveLength(1);
        expect(await written()).toEqual([message(1)]);
        expect(await f.sessions.changePassword(999_999, 'hash-3', [message(2)])).toEqual([]);
        expect(await written()).toEqual([]);
      });

      it('AccountRepository.changePassword: the change and its notice, or, from a hash no longer current, neither', async () => {
        const user = await addUser('hash-1');
        const current = newSession(user.id, NOW);
        await f.sessions.open(current, 'hash-1');
        expect(await f.accounts.changePassword(user.id, 'hash-0', 'hash-2', current.id, [message(1)])).toBeNull();
        expect(await written()).toEqual([]);
        expect(await f.accounts.changePassword(user.id, 'hash-1', 'hash-2', current.id, [message(2)])).toEqual([]);
        expect(await written()).toEqual([message(2)]);
      });

      it('AccountRepository.deleteAccount: the deletion and its notice, or, from a hash no longer current, neither', async () => {
        const user = await addUser('hash-1');
        const digest = auditEmailDigest(user.email);
        expect(await f.accounts.deleteAccount(user.id, user.email, digest, 'hash-0', [message(1)])).toBe(false);
        expect(await written()).toEqual([]);
        expect(await f.accounts.deleteAccount(user.id, user.email, digest, 'hash-1', [message(2)])).toBe(true);
        expect(await written()).toEqual([message(2)]);
      });

      it('undoes the change when its mail cannot be stored', async () => {
        await expect(f.users.addUser('undone@example.com', 'hash', [unserializable()])).rejects.toBeInstanceOf(TypeError);
        await expect(f.users.findUserBy({ email: 'undone@example.com' })).rejects.toBeInstanceOf(NoResultFound);
        const user = await addUser('hash-1');
        const current = newSession(user.id, NOW);
        await f.sessions.open(current, 'hash-1');
        await expect(f.accounts.changePassword(user.id, 'hash-1', 'hash-2', current.id, [unserializable()])).rejects.toBeInstanceOf(TypeError);
        await expect(f.sessions.changePassword(user.id, 'hash-3', [unserializable()])).rejects.toBeInstanceOf(TypeError);
        expect((await f.users.findUserBy({ id: user.id })).hashedPassword).toBe('hash-1');
        expect(await f.sessions.findBySecretDigest(current.secretDigest)).not.toBeNull();
        expect(await written()).toEqual([]);
      });
    });
  });
}
