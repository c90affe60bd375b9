import { ConfigError, loadConfig } from '@latchkey/runtime';
import { startServer } from './server';

/** Composition root of the API: configuration, then the server (listener, logs, shutdown). */
async function main(): Promise<void> {
  await startServer(loadConfig());
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
