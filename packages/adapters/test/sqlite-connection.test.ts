import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnexUserRepository, SQLITE_DRIVERS, createKnex, knexConfigFromUrl, migrateToLatest, migrationSource, sqliteDriver, sqliteFilename } from '../src';

describe('SQLite connection', () => {
  it('reads relative, absolute and in-memory URLs', () => {
    expect(sqliteFilename('sqlite::memory:')).toBe(':memory:');
    expect(sqliteFilename('sqlite:/var/lib/x.db')).toBe('/var/lib/x.db');
    expect(sqliteFilename('sqlite:///var/lib/x.db')).toBe('/var/lib/x.db');
    expect(sqliteFilename('sqlite:data/x.db')).toBe(join(process.cwd(), 'data/x.db'));
    expect(sqliteFilename('sqlite:/var/lib/x.db?driver=sqlite3')).toBe('/var/lib/x.db');
  });

  it('picks better-sqlite3 unless the URL names sqlite3, and refuses other drivers', () => {
    expect(sqliteDriver('sqlite:/x.db')).toBe('better-sqlite3');
    expect(sqliteDriver('sqlite::memory:?driver=sqlite3')).toBe('sqlite3');
    expect(knexConfigFromUrl('sqlite:/tmp/x.db?driver=sqlite3').client).toBe('sqlite3');
    expect(knexConfigFromUrl('sqlite:/tmp/x.db').client).toBe('better-sqlite3');
    expect(() => sqliteDriver('sqlite:/x.db?driver=mysql')).toThrow(/mysql/);
  });

  for (const driver of SQLITE_DRIVERS) {
    it(`creates the data directory, runs in WAL mode and never re-creates the schema (${driver})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-conn-'));
      const url = `sqlite:${join(dir, 'nested', 'deeper', 'users.db')}?driver=${driver}`;
      try {
        const first = createKnex(url);
        expect(await migrateToLatest(first)).toEqual(await migrationSource.getMigrations([]));
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

    it(`works in memory (${driver})`, async () => {
      const knex = createKnex(`sqlite::memory:?driver=${driver}`);
      await migrateToLatest(knex);
      const repo = new KnexUserRepository(knex);
      await repo.addUser('m@example.com', 'hash');
      expect((await repo.findUserBy({ email: 'm@example.com' })).id).toBe(1);
      await knex.destroy();
    });
  }

  it('looks a session up through its unique index, and its user by primary key', async () => {
    const knex = createKnex('sqlite::memory:');
    await migrateToLatest(knex);
    const sql = 'EXPLAIN QUERY PLAN SELECT * FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_digest = ?';
    const plan = ((await knex.raw(sql, ['x'])) as Array<{ detail: string }>).map((step) => step.detail).join('\n');
    expect(plan).toMatch(/SEARCH s USING INDEX sessions_secret_digest_unique/);
    expect(plan).toMatch(/SEARCH u USING INTEGER PRIMARY KEY/);
    await knex.destroy();
  });
});
