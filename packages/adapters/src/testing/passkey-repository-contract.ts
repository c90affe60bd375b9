import type { ContractTestApi } from './test-api';
import type { Passkey, PasskeyChallenge, PasskeyChallengeStore, PasskeyRepository, UserRepository } from '@latchkey/domain';
import { newPasskeyId } from '@latchkey/domain';

export interface PasskeyStoreFixture {
  users: UserRepository;
  passkeys: PasskeyRepository;
  challenges: PasskeyChallengeStore;
  /** The same storage through a second pool, where the storage has one: the races run through both, as two instances. */
  other?: { passkeys: PasskeyRepository; challenges: PasskeyChallengeStore };
  close?: () => Promise<void>;
}

/** Rounds of each race; every round runs RACERS requests at once. */
export const PASSKEY_RACE_ROUNDS = 30;
const RACERS = 8;

const T = Date.UTC(2026, 11, 3);

let serial = 0;

export function newPasskey(userId: number, overrides: Partial<Passkey> = {}): Passkey {
  serial++;
  return {
    id: newPasskeyId(),
    userId,
    credentialId: Buffer.from(`credential-${serial}-${Math.random()}`).toString('base64url'),
    publicKey: new Uint8Array([0xa5, 1, 2, 3, serial & 0xff, 0, 255]),
    counter: 0,
    transports: ['internal', 'hybrid'],
    name: `Passkey ${serial}`,
    deviceType: 'multiDevice',
    backedUp: true,
    createdAt: T + serial,
    lastUsedAt: null,
    ...overrides,
  };
}

function challenge(key: string, overrides: Partial<PasskeyChallenge> = {}): PasskeyChallenge {
  return { key, challenge: Buffer.alloc(32, key.length).toString('base64url'), userId: null, scoped: false, createdAt: T, expiresAt: T + 300_000, ...overrides };
}

/** The behaviour every PasskeyRepository and PasskeyChallengeStore adapter must show, races included. */
export function passkeyRepositoryContract({ describe, it, expect, beforeEach, afterEach }: ContractTestApi, name: string, open: () => Promise<PasskeyStoreFixture>): void {
  describe(`PasskeyRepository and PasskeyChallengeStore contract: ${name}`, () => {
    let fixture: PasskeyStoreFixture;
    let passkeys: PasskeyRepository;
    let challenges: PasskeyChallengeStore;
    let users: UserRepository;
    /** The repositories of racer i: every other one through the second pool, when there is one. */
    const racer = (i: number) => (i % 2 === 1 && fixture.other ? fixture.other : { passkeys, challenges });

    beforeEach(async () => {
      fixture = await open();
      ({ passkeys, challenges, users } = fixture);
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('stores, lists, finds by id or credential id, and renames', async () => {
      const ada = await users.addUser('ada@example.com', 'hash-1');
      const bob = await users.addUser('bob@example.com', 'hash-1');
      const first = newPasskey(ada.id, { counter: 7, lastUsedAt: null });
      const second = newPasskey(ada.id, { deviceType: 'singleDevice', backedUp: false, transports: [] });
      expect(await passkeys.add(first, 10)).toBe('added');
      expect(await passkeys.add(second, 10)).toBe('added');
      expect(await passkeys.listForUser(ada.id)).toEqual([first, second]);
      expect(await passkeys.listForUser(bob.id)).toEqual([]);
      expect(await passkeys.findByCredentialId(first.credentialId)).toEqual(first);
      expect(await passkeys.findByCredentialId('nope')).toBeNull();
      expect(await passkeys.findForUser(ada.id, first.id)).toEqual(first);
      expect(await passkeys.findForUser(ada.id, second.credentialId)).toEqual(second);
      expect(await passkeys.findForUser(bob.id, first.id)).toBeNull();
      expect(await passkeys.findAny(second.credentialId)).toEqual(second);
      expect(await passkeys.rename(ada.id, first.id, 'Laptop')).toBe(true);
      expect(await passkeys.rename(bob.id, second.id, 'Stolen')).toBe(false);
      expect((await passkeys.findAny(first.id))?.name).toBe('Laptop');
      expect((await passkeys.findAny(second.id))?.name).toBe(second.name);
    });

    it('refuses a credential id stored already, for any user, and a user past the bound', async () => {
      const ada = await users.addUser('ada@example.com', 'hash-1');
      const bob = await users.addUser('bob@example.com', 'hash-1');
      const first = newPasskey(ada.id);
      expect(await passkeys.add(first, 2)).toBe('added');
      expect(await passkeys.add(newPasskey(bob.id, { credentialId: first.credentialId }), 2)).toBe('duplicate');
      expect(await passkeys.add(newPasskey(ada.id), 2)).toBe('added');
      expect(await passkeys.add(newPasskey(ada.id), 2)).toBe('limit');
      expect(await passkeys.listForUser(ada.id)).toHaveLength(2);
      expect(await passkeys.listForUser(bob.id)).toHaveLength(0);
    });

    it('removes a passkey of its owner only, and keeps the last one when told', async () => {
      const ada = await users.addUser('ada@example.com', 'hash-1');
      const bob = await users.addUser('bob@example.com', 'hash-1');
      const first = newPasskey(ada.id);
      const second = newPasskey(ada.id);
      await passkeys.add(first, 10);
      await passkeys.add(second, 10);
      expect(await passkeys.remove(bob.id, first.id, false)).toBeNull();
      expect(await passkeys.remove(ada.id, first.id, true)).toEqual(first);
      expect(await passkeys.remove(ada.id, second.id, true)).toBe('last');
      expect(await passkeys.listForUser(ada.id)).toEqual([second]);
      expect(await passkeys.remove(ada.id, second.id, false)).toEqual(second);
      expect(await passkeys.remove(ada.id, second.id, false)).toBeNull();
      await passkeys.add(newPasskey(bob.id), 10);
      await passkeys.add(newPasskey(bob.id), 10);
      expect(await passkeys.removeAll(bob.id)).toBe(2);
      expect(await passkeys.listForUser(bob.id)).toEqual([]);
    });

    it('moves a counter only forward, and accepts counters that stay at 0', async () => {
      const ada = await users.addUser('ada@example.com', 'hash-1');
      const counting = newPasskey(ada.id, { counter: 5 });
      const zero = newPasskey(ada.id, { counter: 0 });
      await passkeys.add(counting, 10);
      await passkeys.add(zero, 10);
      expect(await passkeys.recordUse(counting.id, 5, T + 1, true)).toBe(false);
      expect(await passkeys.recordUse(counting.id, 4, T + 1, true)).toBe(false);
      expect(await passkeys.recordUse(counting.id, 0, T + 1, true)).toBe(false);
      expect(await passkeys.recordUse(counting.id, 6, T + 2, false)).toBe(true);
      expect(await passkeys.findAny(counting.id)).toMatchObject({ counter: 6, lastUsedAt: T + 2, backedUp: false });
      expect(await passkeys.recordUse(counting.id, 2 ** 32 - 1, T + 3, false)).toBe(true);
      expect(await passkeys.recordUse(zero.id, 0, T + 4, true)).toBe(true);
      expect(await passkeys.recordUse(zero.id, 0, T + 5, true)).toBe(true);
      expect(await passkeys.findAny(zero.id)).toMatchObject({ counter: 0, lastUsedAt: T + 5 });
      expect(await passkeys.recordUse(zero.id, 3, T + 6, true)).toBe(true);
      expect(await passkeys.recordUse(zero.id, 0, T + 7, true)).toBe(false);
      expect(await passkeys.recordUse('0193a0a0-0000-7000-8000-000000000000', 9, T, true)).toBe(false);
    });

    it('takes a challenge once, before it expires; a new one replaces the one of its key; expired ones are swept', async () => {
      await challenges.put(challenge('sign_in:a', { userId: 7, scoped: true }));
      expect(await challenges.take('sign_in:a', T + 300_000)).toBeNull();
      expect(await challenges.take('sign_in:a', T + 1)).toEqual(challenge('sign_in:a', { userId: 7, scoped: true }));
      expect(await challenges.take('sign_in:a', T + 1)).toBeNull();
      await challenges.put(challenge('registration:b'));
      await challenges.put(challenge('registration:b', { challenge: 'second', expiresAt: T + 600_000 }));
      expect((await challenges.take('registration:b', T + 400_000))?.challenge).toBe('second');
      for (let i = 0; i < 5; i++) await challenges.put(challenge(`sign_in:old-${i}`, { expiresAt: T + i }));
      await challenges.put(challenge('sign_in:live'));
      expect(await challenges.deleteExpired(T + 10, 3)).toBe(3);
      expect(await challenges.deleteExpired(T + 10, 100)).toBe(2);
      expect(await challenges.deleteExpired(T + 10, 100)).toBe(0);
      expect(await challenges.take('sign_in:live', T + 10)).not.toBeNull();
    });

    it(`gives a challenge to exactly one of ${RACERS} concurrent takes (${PASSKEY_RACE_ROUNDS} rounds)`, async () => {
      for (let round = 0; round < PASSKEY_RACE_ROUNDS; round++) {
        await challenges.put(challenge(`sign_in:race-${round}`));
        const taken = await Promise.all(Array.from({ length: RACERS }, (_, i) => racer(i).challenges.take(`sign_in:race-${round}`, T + 1)));
        expect(taken.filter((found) => found !== null)).toHaveLength(1);
      }
    });

    it(`moves a counter for exactly one of ${RACERS} concurrent uses of one value (${PASSKEY_RACE_ROUNDS} rounds)`, async () => {
      const ada = await users.addUser('ada@example.com', 'hash-1');
      const passkey = newPasskey(ada.id, { counter: 1 });
      await passkeys.add(passkey, 10);
      for (let round = 0; round < PASSKEY_RACE_ROUNDS; round++) {
        const counter = 2 + round;
        const used = await Promise.all(Array.from({ length: RACERS }, (_, i) => racer(i).passkeys.recordUse(passkey.id, counter, T + round, true)));
        expect(used.filter(Boolean)).toHaveLength(1);
      }
      expect((await passkeys.findAny(passkey.id))?.counter).toBe(1 + PASSKEY_RACE_ROUNDS);
    });

    it('keeps one of the last passkeys, and the bound, against concurrent removals and additions', async () => {
      const ada = await users.addUser('ada@example.com', 'hash-1');
      for (let round = 0; round < 10; round++) {
        const pair = [newPasskey(ada.id), newPasskey(ada.id)];
        for (const passkey of pair) expect(await passkeys.add(passkey, 10)).toBe('added');
        // One pool: two pools of a synchronous SQLite driver in one process would wait on each other's transaction.
        const removed = await Promise.all(pair.map((passkey) => passkeys.remove(ada.id, passkey.id, true)));
        expect(removed.filter((outcome) => outcome !== null && outcome !== 'last')).toHaveLength(1);
        expect(await passkeys.listForUser(ada.id)).toHaveLength(1);
        await passkeys.removeAll(ada.id);
        const added = await Promise.all(Array.from({ length: RACERS }, () => passkeys.add(newPasskey(ada.id), 3)));
        expect(added.filter((outcome) => outcome === 'added')).toHaveLength(3);
        await passkeys.removeAll(ada.id);
      }
    });
  });
}
