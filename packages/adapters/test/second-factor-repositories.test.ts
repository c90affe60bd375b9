import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  KnexPendingLoginRepository,
  KnexSecondFactorRepository,
  KnexUserRepository,
  MemoryPendingLoginRepository,
  MemorySecondFactorRepository,
  MemoryUserRepository,
  SQLITE_DRIVERS,
  createKnex,
  migrateToLatest,
} from '../src';
import type { Knex } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';
import { secondFactorRepositoryContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

secondFactorRepositoryContract(vitestApi, 'memory', async () => ({
  users: new MemoryUserRepository(),
  factors: new MemorySecondFactorRepository(),
  pendingLogins: new MemoryPendingLoginRepository(),
}));

function knexFixture(knex: Knex, close: () => Promise<void>) {
  return { users: new KnexUserRepository(knex), factors: new KnexSecondFactorRepository(knex), pendingLogins: new KnexPendingLoginRepository(knex), close };
}

for (const driver of SQLITE_DRIVERS) {
  secondFactorRepositoryContract(vitestApi, `Knex + ${driver} file`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-second-factor-'));
    const knex = createKnex(`sqlite:${join(dir, 'second-factor.db')}?driver=${driver}`);
    await migrateToLatest(knex);
    return knexFixture(knex, async () => {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
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

  secondFactorRepositoryContract(vitestApi, 'Knex + pg', async () => {
    const knex = await database.migratedSchema('second_factor');
    return knexFixture(knex, () => knex.destroy());
  });
});
