import type { Command } from '../command';
import { table } from '../output';

export const migrate: Command = {
  name: 'migrate',
  args: [],
  summary: 'Apply pending database migrations (what the server does at start)',
  details: 'Creates the SQLite file when missing. Migrations never drop or rewrite data.',
  database: 'any',
  async run({ services }) {
    // Loaded here, not at the top: `latchkey --help` should not load the database drivers.
    const { migrateToLatest } = await import('@latchkey/adapters');
    const applied = await migrateToLatest(services.knex);
    const text = applied.length === 0 ? 'up to date: no pending migrations' : `applied ${applied.length}: ${applied.join(', ')}`;
    return { json: { applied }, text };
  },
};

export const migrateStatus: Command = {
  name: 'migrate status',
  args: [],
  summary: 'List migrations, applied and pending',
  database: 'existing',
  async run({ services }) {
    const { migrationStatus } = await import('@latchkey/adapters');
    const { applied, pending } = await migrationStatus(services.knex);
    const rows = [...applied.map((name) => [name, 'applied']), ...pending.map((name) => [name, 'pending'])];
    return { json: { applied, pending }, text: table(['MIGRATION', 'STATE'], rows) };
  },
};

export const migrateRollback: Command = {
  name: 'migrate rollback',
  args: [],
  summary: 'Undo the last batch of migrations applied (a rollout abandoned)',
  details: 'Run it with the servers of the new version stopped: the previous version expects the previous schema.',
  database: 'existing',
  async run({ services }) {
    const { migrationConfig } = await import('@latchkey/adapters');
    const [, undone] = (await services.knex.migrate.rollback(migrationConfig)) as [number, string[]];
    const text = undone.length === 0 ? 'nothing to roll back' : `rolled back ${undone.length}: ${undone.join(', ')}`;
    return { json: { rolled_back: undone }, text };
  },
};
