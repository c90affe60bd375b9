import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { KnexUserRepository, createKnex, migrateToLatest } from '../src';
import { userRepositoryContract } from './user-repository.contract';

userRepositoryContract('Knex + sqlite3 file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-repo-'));
  const url = `sqlite:${join(dir, 'users.db')}`;
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
