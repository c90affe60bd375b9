import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnexUserRepository, createKnex, migrateToLatest, sqliteFilename } from '../src';

describe('SQLite connection', () => {
  it('reads relative, absolute and in-memory URLs', () => {
    expect(sqliteFilename('sqlite::memory:')).toBe(':memory:');
    expect(sqliteFilename('sqlite:/var/lib/x.db')).toBe('/var/lib/x.db');
    expect(sqliteFilename('sqlite:///var/lib/x.db')).toBe('/var/lib/x.db');
    expect(sqliteFilename('sqlite:data/x.db')).toBe(join(process.cwd(), 'data/x.db'));
  });

  it('creates the data directory, runs in WAL mode and never re-creates the schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-conn-'));
    const url = `sqlite:${join(dir, 'nested', 'deeper', 'users.db')}`;
    try {
      const first = createKnex(url);
      expect(await migrateToLatest(first)).toEqual(['20261124-001-create-users', '20261125-002-create-auth-events']);
      await new KnexUserRepository(first).addUser('kept@example.com', 'hash');
      const [{ journal_mode }] = await first.raw('PRAGMA journal_mode');
      expect(journal_mode).toBe('wal');
      await first.destroy();

      const second = createKnex(url);
      expect(await migrateToLatest(second)).toEqual([]);
      expect((await new KnexUserRepository(second).findUserBy({ email: 'kept@example.com' })).email).toBe('kept@example.com');
      await second.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works in memory', async () => {
    const knex = createKnex('sqlite::memory:');
    await migrateToLatest(knex);
    const repo = new KnexUserRepository(knex);
    await repo.addUser('m@example.com', 'hash');
    expect((await repo.findUserBy({ email: 'm@example.com' })).id).toBe(1);
    await knex.destroy();
  });
});
