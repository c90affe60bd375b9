import type { ContractTestApi } from './test-api';
import type { PendingLogin, PendingLoginRepository, SecondFactorRepository, UserRepository } from '@latchkey/domain';
import { digestSecret, newSecret } from '@latchkey/domain';

export interface SecondFactorStoreFixture {
  users: UserRepository;
  factors: SecondFactorRepository;
  pendingLogins: PendingLoginRepository;
  close?: () => Promise<void>;
}

/** Rounds of each race; every round runs RACERS requests at once. */
export const SECOND_FACTOR_RACE_ROUNDS = 30;
const RACERS = 8;

const T = Date.UTC(2026, 10, 25);

function pendingLogin(userId: number, overrides: Partial<PendingLogin> = {}): PendingLogin {
  return {
    tokenDigest: digestSecret(newSecret()),
    userId,
    credential: 'hash-1',
    createdAt: T,
    expiresAt: T + 300_000,
    ip: '203.0.113.7',
    userAgent: 'contract-test',
    ...overrides,
  };
}

const digests = (label: string, count = 10) => Array.from({ length: count }, (_, i) => digestSecret(`${label}-${i}`));

/** The behaviour every SecondFactorRepository and PendingLoginRepository adapter must show, races included. */
export function secondFactorRepositoryContract(
  { describe, it, expect, beforeEach, afterEach }: ContractTestApi,
  name: string,
  open: () => Promise<SecondFactorStoreFixture>,
): void {
  describe(`SecondFactorRepository and PendingLoginRepository contract: ${name}`, () => {
    let fixture: SecondFactorStoreFixture;
    let factors: SecondFactorRepository;
    let pending: PendingLoginRepository;
    let users: UserRepository;

    beforeEach(async () => {
      fixture = await open();
      ({ factors, pendingLogins: pending, users } = fixture);
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    async function enabledUser(email: string) {
      const user = await users.addUser(email, 'hash-1');
      expect(await factors.startEnrolment(user.id, 'sealed-1', T)).toBe(true);
      expect(await factors.enable(user.id, 'sealed-1', 100, digests(email), T)).toBe(true);
      return user;
    }

    it('starts an enrolment, restarts it while waiting, and enables it only with the secret it holds', async () => {
      const user = await users.addUser('a@example.com', 'hash-1');
      expect(await factors.find(user.id)).toBeNull();
      expect(await factors.startEnrolment(user.id, 'sealed-1', T)).toBe(true);
      expect(await factors.startEnrolment(user.id, 'sealed-2', T + 1)).toBe(true);
      expect(await factors.find(user.id)).toEqual({ userId: user.id, sealedSecret: 'sealed-2', enabledAt: null, lastStep: null });
      expect(await factors.useStep(user.id, 5)).toBe(false);
      expect(await factors.enable(user.id, 'sealed-1', 7, digests('a'), T + 2)).toBe(false);
      expect(await factors.enable(user.id, 'sealed-2', 7, digests('a'), T + 2)).toBe(true);
      expect(await factors.find(user.id)).toEqual({ userId: user.id, sealedSecret: 'sealed-2', enabledAt: T + 2, lastStep: 7 });
      expect(await factors.startEnrolment(user.id, 'sealed-3', T + 3)).toBe(false);
      expect(await factors.enable(user.id, 'sealed-2', 8, digests('b'), T + 3)).toBe(false);
      expect(await factors.countRecoveryCodes(user.id)).toBe(10);
    });

    it('accepts each time step once, never an earlier one', async () => {
      const user = await enabledUser('b@example.com');
      expect(await factors.useStep(user.id, 100)).toBe(false);
      expect(await factors.useStep(user.id, 99)).toBe(false);
      expect(await factors.useStep(user.id, 101)).toBe(true);
      expect(await factors.useStep(user.id, 101)).toBe(false);
      expect((await factors.find(user.id))?.lastStep).toBe(101);
    });

    it('accepts each recovery code once, and only its own user’s; a new set replaces the old', async () => {
      const user = await enabledUser('c@example.com');
      const other = await enabledUser('d@example.com');
      const [code] = digests('c@example.com');
      expect(await factors.useRecoveryCode(other.id, code!, T)).toBe(false);
      expect(await factors.useRecoveryCode(user.id, code!, T)).toBe(true);
      expect(await factors.useRecoveryCode(user.id, code!, T)).toBe(false);
      expect(await factors.countRecoveryCodes(user.id)).toBe(9);
      expect(await factors.replaceRecoveryCodes(user.id, digests('new'))).toBe(true);
      expect(await factors.useRecoveryCode(user.id, digests('c@example.com')[1]!, T)).toBe(false);
      expect(await factors.countRecoveryCodes(user.id)).toBe(10);
    });

    it('removes a factor with its codes; a removed or waiting factor takes no new codes', async () => {
      const user = await enabledUser('e@example.com');
      expect(await factors.remove(user.id)).toBe(true);
      expect(await factors.remove(user.id)).toBe(false);
      expect(await factors.find(user.id)).toBeNull();
      expect(await factors.countRecoveryCodes(user.id)).toBe(0);
      expect(await factors.useRecoveryCode(user.id, digests('e@example.com')[0]!, T)).toBe(false);
      expect(await factors.replaceRecoveryCodes(user.id, digests('x'))).toBe(false);
    });

    it('finds a pending login until it expires, and gives it to one taker', async () => {
      const user = await users.addUser('f@example.com', 'hash-1');
      const login = pendingLogin(user.id);
      await pending.add(login, 5);
      expect(await pending.find(login.tokenDigest, T)).toEqual(login);
      expect(await pending.find(login.tokenDigest, login.expiresAt)).toBeNull();
      expect(await pending.take(login.tokenDigest, login.expiresAt)).toBeNull();
      expect(await pending.take(login.tokenDigest, T)).toEqual(login);
      expect(await pending.take(login.tokenDigest, T)).toBeNull();
    });

    it('ends every pending login of a user, and deletes expired ones in bounded batches', async () => {
      const user = await users.addUser('g@example.com', 'hash-1');
      const other = await users.addUser('h@example.com', 'hash-1');
      for (let i = 0; i < 3; i++) await pending.add(pendingLogin(user.id), 5);
      const kept = pendingLogin(other.id);
      await pending.add(kept, 5);
      expect(await pending.endAll(user.id)).toBe(3);
      expect(await pending.find(kept.tokenDigest, T)).not.toBeNull();
      for (let i = 0; i < 3; i++) await pending.add(pendingLogin(other.id, { expiresAt: T + i }), 5);
      expect(await pending.deleteExpired(T + 10, 2)).toBe(2);
      expect(await pending.deleteExpired(T + 10, 2)).toBe(1);
      expect(await pending.find(kept.tokenDigest, T)).not.toBeNull();
    });

    it('keeps the newest pending logins of a user, ending the oldest beyond the bound', async () => {
      const user = await users.addUser('k@example.com', 'hash-1');
      const logins = Array.from({ length: 5 }, (_, i) => pendingLogin(user.id, { createdAt: T + i }));
      for (const login of logins) await pending.add(login, 3);
      const left = await Promise.all(logins.map((login) => pending.find(login.tokenDigest, T)));
      expect(left.map((found) => found !== null)).toEqual([false, false, true, true, true]);
    });

    it(`races: a time step, a recovery code and a pending login each go to exactly one of ${RACERS} (${SECOND_FACTOR_RACE_ROUNDS} rounds)`, async () => {
      const user = await enabledUser('race@example.com');
      for (let round = 0; round < SECOND_FACTOR_RACE_ROUNDS; round++) {
        const step = 200 + round;
        const code = digestSecret(`race-${round}`);
        if (round % 10 === 0) expect(await factors.replaceRecoveryCodes(user.id, Array.from({ length: 10 }, (_, i) => digestSecret(`race-${round + i}`)))).toBe(true);
        const login = pendingLogin(user.id);
        await pending.add(login, 5);
        const [steps, codes, takes] = await Promise.all([
          Promise.all(Array.from({ length: RACERS }, () => factors.useStep(user.id, step))),
          Promise.all(Array.from({ length: RACERS }, () => factors.useRecoveryCode(user.id, code, T))),
          Promise.all(Array.from({ length: RACERS }, () => pending.take(login.tokenDigest, T))),
        ]);
        expect(steps.filter(Boolean)).toHaveLength(1);
        expect(codes.filter(Boolean)).toHaveLength(1);
        expect(takes.filter((taken) => taken !== null)).toHaveLength(1);
      }
    });
  });
}
