import knexFactory from 'knex';
import type { Knex } from 'knex';
import * as createUsers from './20261124-001-create-users';
import * as createAuthEvents from './20261125-002-create-auth-events';
import * as createSessions from './20261125-003-create-sessions';
import * as createPasswordResetTokens from './20261125-004-create-password-reset-tokens';
import * as accountLifecycle from './20261125-005-account-lifecycle';
import * as createSecondFactors from './20261125-006-create-second-factors';
import * as createOutbox from './20261203-007-create-outbox';
import * as createSigningKeys from './20261203-008-create-signing-keys';
import * as createWebhooksAndApiKeys from './20261203-009-create-webhooks-and-api-keys';
import * as createPasskeys from './20261203-010-create-passkeys';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Versioned migrations, applied in this order; never edit one that has shipped. */
const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261124-001-create-users', createUsers],
  ['20261125-002-create-auth-events', createAuthEvents],
  ['20261125-003-create-sessions', createSessions],
  ['20261125-004-create-password-reset-tokens', createPasswordResetTokens],
  ['20261125-005-account-lifecycle', accountLifecycle],
  ['20261125-006-create-second-factors', createSecondFactors],
  ['20261203-007-create-outbox', createOutbox],
  ['20261203-008-create-signing-keys', createSigningKeys],
  ['20261203-009-create-webhooks-and-api-keys', createWebhooksAndApiKeys],
  ['20261203-010-create-passkeys', createPasskeys],
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
  return withMigrationLock(knex, async () => {
    const [, applied] = (await knex.migrate.latest(migrationConfig)) as [number, string[]];
    return applied;
  });
}

/** Any fixed number: the PostgreSQL advisory lock that instances migrating at once take turns on. */
const MIGRATION_LOCK_KEY = 4_711_150_301;

/**
 * Instances starting together on a new PostgreSQL database would each create Knex's
 * migration tables, and all but one fail; holding a session advisory lock on a connection
 * of its own, they take turns instead. Ending that connection releases the lock.
 */
async function withMigrationLock<T>(knex: Knex, run: () => Promise<T>): Promise<T> {
  const config = (knex.client as { config: Knex.Config }).config;
  if (config.client !== 'pg') return run();
  const lock = knexFactory({ ...config, pool: { min: 0, max: 1 } });
  try {
    await lock.raw('select pg_advisory_lock(?)', [MIGRATION_LOCK_KEY]);
    return await run();
  } finally {
    await lock.destroy();
  }
}
