import { afterAll, beforeAll, describe } from 'vitest';
import { KnexAuditLog, createKnex, migrateToLatest } from '../src';
import type { Knex } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';
import { auditLogContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

const postgres = await checkPostgres();

describe.skipIf(!postgres.available)(`PostgreSQL audit log${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  let knex: Knex;

  beforeAll(async () => {
    database = await createScratchDatabase();
    knex = createKnex(database.url, { poolMax: 2 });
    await migrateToLatest(knex);
  });
  afterAll(async () => {
    await knex?.destroy();
    await database?.drop();
  });

  // One database for the run: each case starts from an empty table.
  auditLogContract(vitestApi, 'Knex + pg', async () => {
    await knex('auth_events').truncate();
    return { log: new KnexAuditLog(knex) };
  });
});
