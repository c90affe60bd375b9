import { ConfigError, loadConfig } from '@latchkey/runtime';
import { startClusterPrimary } from './cluster';
import { startServer } from './server';

/** Composition root of the API: configuration, then the workers' primary or the server itself. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (await startClusterPrimary(config)) return;
  await startServer(config);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
