import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, InvalidCredentialsError } from '@latchkey/domain';
import type { PasswordHasher } from '@latchkey/domain';
import { BcryptPasswordHasher, KnexPasswordResetTokenRepository, KnexSessionRepository, KnexUserRepository, SQLITE_DRIVERS, createKnex, migrateToLatest } from '../src';
import type { Knex } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';

const postgres = await checkPostgres();
/** Rounds per database; in each, a login with the old password and a reset run at once. */
const ROUNDS = 12;

/** bcrypt at cost 4 whose checks take as long as one at cost 8: the login is still checking when the reset is done. */
class SlowCheckingHasher implements PasswordHasher {
  private readonly quick = new BcryptPasswordHasher(4);
  private readonly slow = new BcryptPasswordHasher(8);
  hash(password: string): Promise<string> {
    return this.quick.hash(password);
  }
  async verify(password: string, hashed: string): Promise<boolean> {
    await this.slow.hash(password);
    return this.quick.verify(password, hashed);
  }
  needsRehash(hashed: string): boolean {
    return this.quick.needsRehash(hashed);
  }
}

/**
 * A login checks the old password with real bcrypt while a quicker reset completes: the
 * login read the old hash before the reset wrote the new one. Its session must never work,
 * whichever finishes first: neither when the login opens its session (same cost) nor when
 * it first upgrades the hash to a higher cost.
 */
function loginAgainstReset(name: string, open: () => Promise<{ url: string; done(): Promise<void> }>): void {
  describe(`a login racing a password reset (${name})`, () => {
    let knex: Knex;
    let done: () => Promise<void>;
    beforeAll(async () => {
      const database = await open();
      done = database.done;
      knex = createKnex(database.url);
      await migrateToLatest(knex);
    });
    afterAll(async () => {
      await knex?.destroy();
      await done?.();
    });

    it.each([
      ['at the same cost', () => new SlowCheckingHasher()],
      ['while upgrading the hash to a higher cost', () => new BcryptPasswordHasher(8)],
    ])(`never yields a working session from the old password, %s (${ROUNDS} rounds)`, async (variant, loginHasher) => {
      const stores = { users: new KnexUserRepository(knex), sessions: new KnexSessionRepository(knex), resetTokens: new KnexPasswordResetTokenRepository(knex) };
      const slowLogin = createAuth({ ...stores, hasher: loginHasher() });
      const quickReset = createAuth({ ...stores, hasher: new BcryptPasswordHasher(4) });
      const email = `race-${variant.length}-${name.replace(/\W/g, '')}@example.com`;
      await quickReset.registerUser(email, 'pw-0');
      const outcomes = { refused: 0, endedByReset: 0, survived: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        const token = await quickReset.getResetPasswordToken(email);
        const [login] = await Promise.allSettled([slowLogin.logins.login(email, `pw-${round}`), quickReset.updatePassword(token, `pw-${round + 1}`)]);
        if (login.status === 'rejected') {
          expect(login.reason).toBeInstanceOf(InvalidCredentialsError);
          outcomes.refused++;
        } else if (await slowLogin.getUserFromSessionId(login.value.sessionId)) outcomes.survived++;
        else outcomes.endedByReset++;
      }
      console.info(`login racing a reset (${name}, ${variant}): ${JSON.stringify(outcomes)}`);
      expect(outcomes).toMatchObject({ survived: 0 });
      expect(outcomes.refused + outcomes.endedByReset).toBe(ROUNDS);
    });
  });
}

for (const driver of SQLITE_DRIVERS) {
  loginAgainstReset(`SQLite, ${driver}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-race-'));
    return { url: `sqlite:${join(dir, 'race.db')}?driver=${driver}`, done: async () => rmSync(dir, { recursive: true, force: true }) };
  });
}

if (postgres.available) {
  loginAgainstReset('PostgreSQL', async () => {
    const database: ScratchDatabase = await createScratchDatabase();
    return { url: database.url, done: () => database.drop() };
  });
}
