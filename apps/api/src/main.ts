import cluster from 'node:cluster';
import { ConfigError, loadConfig } from '@latchkey/runtime';
import type { Config } from '@latchkey/runtime';
import { startClusterPrimary } from './cluster';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { contractModeSettings } from './production-checks';
import { startServer } from './server';
import { START_EXIT, describeStartFailure } from './start-failure';

let config: Config | undefined;
// One logger a process: lines of a second one could be lost at exit.
let logger: Logger | undefined;

/** Composition root of the API: configuration, then the workers' primary or the server itself. */
async function main(): Promise<void> {
  config = loadConfig();
  logger = createLogger(config.LOG_LEVEL);
  // Once a server, not once a worker.
  if (!cluster.isWorker) checkProduction(config, logger);
  if (await startClusterPrimary(config, logger)) return;
  await startServer(config, logger);
}

function checkProduction(settings: Config, log: Logger): void {
  const found = contractModeSettings(settings);
  if (found.length === 0) return;
  if (settings.STRICT_PRODUCTION) {
    throw new ConfigError(`STRICT_PRODUCTION=true refuses ${found.map(({ setting }) => setting).join(', ')} in production`);
  }
  for (const { setting, advice } of found) log.warn({ setting }, `production with ${setting}: ${advice}`);
}

main().catch((error: unknown) => {
  const failure = describeStartFailure(error);
  const line = `latchkey: cannot start: ${failure.what} (${failure.code})`;
  // The whole error, driver fields and stack included, for whoever turns the level down.
  if (logger && failure.exitCode !== START_EXIT.config) logger.debug({ err: error }, 'start failure');
  const exit = () => (logger ? logger.flush(() => process.exit(failure.exitCode)) : process.exit(failure.exitCode));
  // A worker tells its primary, which says it once for all of them (or logs it, as JSON,
  // for a replacement worker while the others serve).
  if (cluster.isWorker && process.send) process.send({ startFailure: line }, undefined, {}, exit);
  else {
    console.error(line);
    exit();
  }
});
