import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { KnexPasswordResetTokenRepository, KnexUserRepository, SQLITE_DRIVERS, createKnex, migrateToLatest } from '../src';
import { passwordResetTokenRepositoryContract, userRepositoryContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

for (const driver of SQLITE_DRIVERS) {
  userRepositoryContract(vitestApi, `Knex + ${driver} file`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-repo-'));
    const url = `sqlite:${join(dir, 'users.db')}?driver=${driver}`;
    const connections: Knex[] = [];
    const open = async () => {
      const knex = createKnex(url);
      connections.push(knex);
      await migrateToLatest(knex);
      return new KnexUserRepository(knex);
    };
    return {
      repository: await open(),
      reopen: open,
      close: async () => {
        await Promise.all(connections.map((knex) => knex.destroy()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

for (const driver of SQLITE_DRIVERS) {
  passwordResetTokenRepositoryContract(vitestApi, `Knex + ${driver} file`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-tokens-'));
    const knex = createKnex(`sqlite:${join(dir, 'tokens.db')}?driver=${driver}`);
    await migrateToLatest(knex);
    return {
      users: new KnexUserRepository(knex),
      tokens: new KnexPasswordResetTokenRepository(knex),
      close: async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
