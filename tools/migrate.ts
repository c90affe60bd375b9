/**
 * Applies, lists or rolls back the schema migrations of DATABASE_URL, for deployments that
 * start the servers with MIGRATE_ON_START=false:
 *   npm run migrate                  apply every pending migration
 *   npm run migrate -- status        list applied and pending migrations
 *   npm run migrate -- rollback      undo the last batch applied
 */
import { pathToFileURL } from 'node:url';
import { createKnex, migrateToLatest, migrationConfig, migrationStatus } from '@latchkey/adapters';
import type { Knex } from '@latchkey/adapters';
import { ConfigError, loadConfig } from '@latchkey/runtime';

export const MIGRATE_COMMANDS = ['latest', 'status', 'rollback'] as const;
export type MigrateCommand = (typeof MIGRATE_COMMANDS)[number];

const USAGE = `usage: npm run migrate [-- ${MIGRATE_COMMANDS.join('|')}]`;

/** Runs one command and returns the lines it reports. */
export async function runMigrateCommand(command: MigrateCommand, knex: Knex): Promise<string[]> {
  if (command === 'status') {
    const { applied, pending } = await migrationStatus(knex);
    return [
      ...applied.map((name) => `applied  ${name}`),
      ...pending.map((name) => `pending  ${name}`),
      `${applied.length} applied, ${pending.length} pending`,
    ];
  }
  if (command === 'rollback') {
    const [, undone] = (await knex.migrate.rollback(migrationConfig)) as [number, string[]];
    return undone.length ? undone.map((name) => `rolled back  ${name}`) : ['nothing to roll back'];
  }
  const applied = await migrateToLatest(knex);
  return applied.length ? applied.map((name) => `applied  ${name}`) : ['already up to date'];
}

/** The command line: returns the exit code. */
export async function migrateCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const command = args[0] ?? 'latest';
  if (args.length > 1 || !(MIGRATE_COMMANDS as readonly string[]).includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig(env);
  const knex = createKnex(config.DATABASE_URL, { poolMax: 1 });
  try {
    for (const line of await runMigrateCommand(command as MigrateCommand, knex)) console.log(line);
    return 0;
  } finally {
    await knex.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  migrateCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    },
  );
}
