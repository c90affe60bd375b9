import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthService } from '@latchkey/domain';
import { createAuth, InvalidSecondFactorCodeError, NoPendingLoginError, SecondFactorRequiredError, SecondFactorThrottle, TooManySecondFactorFailuresError } from '@latchkey/domain';
import type { AuthServiceDeps, SecondFactorDeps } from '@latchkey/domain';
import {
  AesGcmSecretBox,
  BcryptPasswordHasher,
  KnexPasswordResetTokenRepository,
  KnexPendingLoginRepository,
  KnexSecondFactorRepository,
  KnexSessionRepository,
  KnexUserRepository,
  MemoryPendingLoginRepository,
  MemorySecondFactorRepository,
  MemoryThrottleStore,
  SQLITE_DRIVERS,
  createKnex,
  knexConfigFromUrl,
  memoryStores,
  migrateToLatest,
} from '../src';
import type { Knex } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';
import { referenceTotp } from './support/totp-reference';

/** Rounds of each race; in each, RACERS requests at once. */
const ROUNDS = 15;
const RACERS = 8;

type Stores = Pick<AuthServiceDeps, 'users' | 'sessions' | 'resetTokens'> & Pick<SecondFactorDeps, 'factors' | 'pendingLogins'>;

function authOn(stores: Stores, clock: { now(): number }, failuresPerAccount: number): AuthService {
  const { factors, pendingLogins, ...rest } = stores;
  return createAuth({
    ...rest,
    hasher: new BcryptPasswordHasher(4),
    clock,
    secondFactor: {
      factors,
      pendingLogins,
      box: new AesGcmSecretBox([Buffer.alloc(32, 7)]),
      throttle: new SecondFactorThrottle(new MemoryThrottleStore(), { failuresPerAccount, windowMs: 900_000 }),
      settings: { codeCheckMs: 0, pendingLoginsPerUser: 1000 },
    },
  });
}

async function pendingToken(auth: AuthService, email: string): Promise<string> {
  const error = await auth.logins.login(email, 'b4l0u').catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(SecondFactorRequiredError);
  return (error as SecondFactorRequiredError).pendingToken;
}

function races(name: string, open: () => Promise<{ stores: Stores; close(): Promise<void> }>): void {
  describe(`completing a pending login, racing (${name})`, () => {
    let fixture: { stores: Stores; close(): Promise<void> };
    beforeAll(async () => {
      fixture = await open();
    });
    afterAll(async () => {
      await fixture?.close();
    });

    it(`one code opens one session: ${RACERS} completions of one pending login, or of ${RACERS} with one code (${ROUNDS} rounds each)`, async () => {
      const clock = { time: Date.UTC(2026, 10, 25), now: () => clock.time };
      // Replays lost to the winner count as wrong codes: a limit no round reaches.
      const auth = authOn(fixture.stores, clock, 1000);
      const email = `race-${name.replace(/\W/g, '')}@example.com`;
      const user = await auth.registerUser(email, 'b4l0u');
      const { secret } = await auth.secondFactor.startEnrolment(user);
      const code = (at: number) => referenceTotp(secret, at);
      const codes = await auth.secondFactor.enable(user, code(clock.time), 'none');
      for (let round = 0; round < ROUNDS; round++) {
        clock.time += 30_000;
        const one = await pendingToken(auth, email);
        const samePending = await Promise.allSettled(Array.from({ length: RACERS }, () => auth.logins.completeWithSecondFactor(one, code(clock.time))));
        expect(samePending.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        clock.time += 30_000;
        const many = await Promise.all(Array.from({ length: RACERS }, () => pendingToken(auth, email)));
        const sameCode = await Promise.allSettled(many.map((token) => auth.logins.completeWithSecondFactor(token, code(clock.time))));
        expect(sameCode.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const recovery = codes[round % codes.length]!;
        if (round < codes.length) {
          const byRecovery = await Promise.allSettled(many.map((token) => auth.logins.completeWithSecondFactor(token, recovery)));
          expect(byRecovery.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        }
      }
      expect((await auth.sessions.list(user.id)).every((s) => s.strength === 'second_factor')).toBe(true);
    });

    it(`${RACERS * 3} wrong codes at once: exactly 5 are checked, the rest refused before any check`, async () => {
      const clock = { time: Date.UTC(2026, 10, 25), now: () => clock.time };
      const auth = authOn(fixture.stores, clock, 5);
      const email = `wrong-${name.replace(/\W/g, '')}@example.com`;
      const user = await auth.registerUser(email, 'b4l0u');
      const { secret } = await auth.secondFactor.startEnrolment(user);
      await auth.secondFactor.enable(user, referenceTotp(secret, clock.time), 'none');
      const token = await pendingToken(auth, email);
      const results = await Promise.allSettled(Array.from({ length: RACERS * 3 }, () => auth.logins.completeWithSecondFactor(token, 'aaaa-aaaa-aaaa-aaaa')));
      // A request that comes after the fifth wrong code ended the pending login finds none: refused before any check too.
      const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error) : new Error('fulfilled')));
      const checked = reasons.filter((reason) => reason instanceof InvalidSecondFactorCodeError);
      const refused = reasons.filter((reason) => reason instanceof TooManySecondFactorFailuresError || reason instanceof NoPendingLoginError);
      expect(checked.length, reasons.map((reason) => reason.name).join(', ')).toBe(5);
      expect(refused).toHaveLength(results.length - 5);
    });
  });
}

races('memory', async () => {
  const stores = memoryStores();
  return { stores: { ...stores, factors: new MemorySecondFactorRepository(), pendingLogins: new MemoryPendingLoginRepository() }, close: async () => {} };
});

function knexStores(knex: Knex): Stores {
  return {
    users: new KnexUserRepository(knex),
    sessions: new KnexSessionRepository(knex),
    resetTokens: new KnexPasswordResetTokenRepository(knex),
    factors: new KnexSecondFactorRepository(knex),
    pendingLogins: new KnexPendingLoginRepository(knex),
  };
}

for (const driver of SQLITE_DRIVERS) {
  races(`SQLite ${driver}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-second-factor-race-'));
    const knex = createKnex(`sqlite:${join(dir, 'race.db')}?driver=${driver}`);
    await migrateToLatest(knex);
    return {
      stores: knexStores(knex),
      close: async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

const postgres = await checkPostgres();
describe.skipIf(!postgres.available)(`PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  races('PostgreSQL', async () => {
    const knex = knexFactory({ ...knexConfigFromUrl(database.url) });
    await migrateToLatest(knex);
    return { stores: knexStores(knex), close: () => knex.destroy() };
  });
});
