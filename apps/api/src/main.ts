import { loadConfig } from '@latchkey/runtime';
import type { Config } from '@latchkey/runtime';
import { startClusterPrimary } from './cluster';
import { createLogger } from './logger';
import { startServer } from './server';
import { START_EXIT, describeStartFailure } from './start-failure';

let config: Config | undefined;

/** Composition root of the API: configuration, then the workers' primary or the server itself. */
async function main(): Promise<void> {
  config = loadConfig();
  if (await startClusterPrimary(config)) return;
  await startServer(config);
}

main().catch((error: unknown) => {
  const failure = describeStartFailure(error);
  // The whole error, driver fields and stack included, for whoever turns the level down.
  if (config && failure.exitCode !== START_EXIT.config) createLogger(config.LOG_LEVEL).debug({ err: error }, 'start failure');
  console.error(`latchkey: cannot start: ${failure.what} (${failure.code})`);
  process.exit(failure.exitCode);
});
