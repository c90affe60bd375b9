import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnexSessionRepository, KnexUserRepository, SQLITE_DRIVERS, createKnex, migrateToLatest } from '../src';
import { sessionRepositoryContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

for (const driver of SQLITE_DRIVERS) {
  sessionRepositoryContract(vitestApi, `Knex + ${driver} file`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-sessions-'));
    const knex = createKnex(`sqlite:${join(dir, 'sessions.db')}?driver=${driver}`);
    await migrateToLatest(knex);
    return {
      users: new KnexUserRepository(knex),
      sessions: new KnexSessionRepository(knex),
      close: async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
