import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Knex } from '../../src';
import { SQLITE_DRIVERS, createKnex, knexConfigFromUrl, migrationConfig, migrationSource } from '../../src';
import { checkPostgres, createScratchDatabase } from '../real-services';
import type { ScratchDatabase } from '../real-services';

/** A new, empty database: a test migrates it as far as it needs. */
export interface EmptyDatabase {
  knex: Knex;
  close(): Promise<void>;
}

/** Every migration before `migration`, as a database of the release before it has them. */
export async function migrateBefore(knex: Knex, migration: string): Promise<void> {
  for (const name of await migrationSource.getMigrations([])) {
    if (name >= migration) break;
    await knex.migrate.up({ ...migrationConfig, name });
  }
}

const postgres = await checkPostgres();

/**
 * Runs a migration's cases on a new SQLite file of each driver and on a new PostgreSQL
 * database (skipped, with the reason, where PostgreSQL does not answer).
 */
export function onEveryDatabase(title: string, cases: (open: () => Promise<EmptyDatabase>) => void): void {
  for (const driver of SQLITE_DRIVERS) {
    describe(`${title} (SQLite, ${driver})`, () => cases(() => Promise.resolve(sqliteFile(driver))));
  }
  describe.skipIf(!postgres.available)(`${title} (PostgreSQL${postgres.available ? '' : `, skipped: ${postgres.reason}`})`, () => {
    let database: ScratchDatabase;
    beforeAll(async () => {
      database = await createScratchDatabase();
    });
    afterAll(async () => {
      await database?.drop();
    });
    cases(async () => {
      const knex = knexFactory({ ...knexConfigFromUrl(database.url, { poolMax: 2 }) });
      return { knex, close: () => knex.destroy() };
    });
  });
}

function sqliteFile(driver: (typeof SQLITE_DRIVERS)[number]): EmptyDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-migration-'));
  const knex = createKnex(`sqlite:${join(dir, 'old.db')}?driver=${driver}`);
  return {
    knex,
    close: async () => {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
