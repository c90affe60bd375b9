import type { AddressInfo } from 'node:net';
import { BcryptPasswordHasher, KnexUserRepository, createKnex, migrateToLatest } from '@latchkey/adapters';
import { AuthService } from '@latchkey/domain';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';

/** Composition root: configuration, adapters, domain service, routes, listener. */
async function main(): Promise<void> {
  const config = loadConfig();
  const knex = createKnex(config.databaseUrl);
  await migrateToLatest(knex);
  const auth = new AuthService({
    users: new KnexUserRepository(knex),
    hasher: new BcryptPasswordHasher(config.bcryptRounds),
  });
  const app = createApp({
    auth,
    cookie: { secure: false, maxAgeSeconds: Math.floor(auth.settings.sessionTtlMs / 1000) },
  });
  const server = app.listen(config.port, config.host, () => {
    const { address, port } = server.address() as AddressInfo;
    console.log(`Latchkey listening on http://${address.includes(':') ? `[${address}]` : address}:${port}`);
  });
  const stop = () => {
    server.close(() => void knex.destroy().then(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
