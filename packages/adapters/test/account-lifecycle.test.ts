import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KnexAccountRepository,
  KnexAuditLog,
  KnexEmailTokenRepository,
  KnexSessionRepository,
  KnexUserRepository,
  MemoryAuditLog,
  SQLITE_DRIVERS,
  createKnex,
  memoryStores,
  migrateToLatest,
} from '../src';
import { accountLifecycleContract } from './account-lifecycle.contract';

accountLifecycleContract('in-memory', async () => {
  const audit = new MemoryAuditLog();
  const stores = memoryStores(undefined, audit);
  return { ...stores, audit };
});

for (const driver of SQLITE_DRIVERS) {
  accountLifecycleContract(`Knex + ${driver} file`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-lifecycle-'));
    const knex = createKnex(`sqlite:${join(dir, 'lifecycle.db')}?driver=${driver}`);
    await migrateToLatest(knex);
    return {
      users: new KnexUserRepository(knex),
      sessions: new KnexSessionRepository(knex),
      emailTokens: new KnexEmailTokenRepository(knex),
      accounts: new KnexAccountRepository(knex),
      audit: new KnexAuditLog(knex),
      close: async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
