import type { Knex } from 'knex';
import * as createUsers from './20261124-001-create-users';
import * as createAuthEvents from './20261125-002-create-auth-events';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Versioned migrations, applied in this order; never edit one that has shipped. */
const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261124-001-create-users', createUsers],
  ['20261125-002-create-auth-events', createAuthEvents],
];

/** Serves migrations from code, so they run the same under tsx, vitest or a bundle. */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([candidate]) => candidate === name);
    if (!found) throw new Error(`Unknown migration ${name}`);
    return found[1];
  },
};

export const migrationConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(migrationConfig)) as [number, string[]];
  return applied;
}
