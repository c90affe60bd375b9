import { existsSync } from 'node:fs';
import { migrationStatus, sqliteFilename } from '@latchkey/adapters';
import { ConfigError, createServices, loadConfig } from '@latchkey/runtime';
import type { Config, Logger, Services } from '@latchkey/runtime';
import { DatabaseNotReadyError, SettingsError } from './cli-errors';
import type { DatabaseNeed } from './command';

export type ServicesOpener = (env: NodeJS.ProcessEnv, need: DatabaseNeed) => Promise<Services>;

/**
 * The services of the server, from the same environment variables, without migrating:
 * only `latchkey migrate` changes the schema, and a mistyped SQLite path is reported
 * instead of becoming a new empty database.
 */
export const openServices: ServicesOpener = async (env, need) => {
  const config = settings(env);
  if (need !== 'any') assertDatabaseExists(config.DATABASE_URL);
  const services = await createServices(config, { migrate: false, logger: stderrLogger });
  try {
    if (need === 'schema') await assertSchemaCurrent(services);
    return services;
  } catch (error) {
    await services.close();
    throw error;
  }
};

// Standard output carries the command's result (JSON for scripts): logs go to stderr.
const stderrLogger: Logger = {
  info: (fields, message) => logLine('info', fields, message),
  warn: (fields, message) => logLine('warn', fields, message),
  error: (fields, message) => logLine('error', fields, message),
};

function logLine(level: string, fields: object, message: string): void {
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg: message, ...fields })}\n`);
}

function settings(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    throw error instanceof ConfigError ? new SettingsError(error.message) : error;
  }
}

function assertDatabaseExists(databaseUrl: string): void {
  if (!databaseUrl.startsWith('sqlite:')) return;
  const file = sqliteFilename(databaseUrl);
  if (file !== ':memory:' && !existsSync(file)) {
    throw new DatabaseNotReadyError(`no database at ${file} (check DATABASE_URL; \`latchkey migrate\` creates one)`);
  }
}

async function assertSchemaCurrent(services: Services): Promise<void> {
  const { pending } = await migrationStatus(services.knex);
  if (pending.length > 0) {
    throw new DatabaseNotReadyError(`the database lacks ${pending.length} migration(s): run \`latchkey migrate\` first`);
  }
}
