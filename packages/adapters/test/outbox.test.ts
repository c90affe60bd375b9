import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import {
  KnexAccountRepository,
  KnexEmailTokenRepository,
  KnexOutboxStore,
  KnexPasswordResetTokenRepository,
  KnexSessionRepository,
  KnexUserRepository,
  SQLITE_DRIVERS,
  createKnex,
  memoryStores,
  migrateToLatest,
} from '../src';
import type { OutboxFixture } from '@latchkey/adapters/testing';
import { outboxContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

outboxContract(vitestApi, 'in-memory', async () => memoryStores());

/** The outbox and the repositories of one Knex connection pool. */
export function knexOutboxFixture(knex: Knex, rival: Knex, close: () => Promise<void>): OutboxFixture {
  return {
    outbox: new KnexOutboxStore(knex),
    rival: new KnexOutboxStore(rival),
    users: new KnexUserRepository(knex),
    sessions: new KnexSessionRepository(knex),
    resetTokens: new KnexPasswordResetTokenRepository(knex),
    emailTokens: new KnexEmailTokenRepository(knex),
    accounts: new KnexAccountRepository(knex),
    close,
  };
}

for (const driver of SQLITE_DRIVERS) {
  // Two pools on one file: the rival claims as a second process would.
  outboxContract(vitestApi, `Knex + ${driver} file, two connections`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-outbox-'));
    const url = `sqlite:${join(dir, 'outbox.db')}?driver=${driver}`;
    const knex = createKnex(url);
    await migrateToLatest(knex);
    const rival = createKnex(url);
    return knexOutboxFixture(knex, rival, async () => {
      await Promise.all([knex.destroy(), rival.destroy()]);
      rmSync(dir, { recursive: true, force: true });
    });
  });
}
