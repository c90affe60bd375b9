import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { migrationStatus, sqliteFilename } from '@latchkey/adapters';
import { ConfigError, createServices, loadConfig } from '@latchkey/runtime';
import type { Config, Logger, Services } from '@latchkey/runtime';
import { DatabaseNotReadyError, SettingsError } from './cli-errors';
import type { DatabaseNeed } from './command';
import type { CliIo } from './io';

/** How the audit trail tells the command line's changes from those made over HTTP. */
export const CLI_CLIENT = { userAgent: 'latchkey-cli' } as const;

export type ServicesOpener = (io: CliIo, need: DatabaseNeed) => Promise<Services>;

/**
 * The services of the server, from the same environment variables, without migrating:
 * only `latchkey migrate` changes the schema, and a mistyped SQLite path is reported
 * instead of becoming a new empty database.
 */
export const openServices: ServicesOpener = async (io, need) => {
  const config = settings(io.env);
  if (need !== 'any') assertDatabaseExists(config.DATABASE_URL);
  // No command counts login failures: the CLI needs no Redis, and works while Redis is down.
  const services = await createServices({ ...config, REDIS_URL: undefined }, { migrate: false, logger: errorsOnly(io.stderr) });
  try {
    if (need === 'schema') await assertSchemaCurrent(services);
    return services;
  } catch (error) {
    await services.close();
    throw error;
  }
};

/**
 * Standard output carries the command's result (JSON for scripts), so logs go to stderr;
 * and only errors: a warning such as a failed connection attempt ends in the one-line
 * failure of the command anyway.
 */
function errorsOnly(stderr: Writable): Logger {
  const ignore = () => {};
  return {
    info: ignore,
    warn: ignore,
    error: (fields, message) => stderr.write(`${JSON.stringify({ level: 'error', time: Date.now(), msg: message, ...fields })}\n`),
  };
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
