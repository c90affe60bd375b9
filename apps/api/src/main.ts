import type { AddressInfo } from 'node:net';
import { ConfigError, createServices, loadConfig } from '@latchkey/runtime';
import { createApp } from './app';
import { startClusterPrimary } from './cluster';

/** Composition root of the API: configuration, services, routes, listener. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (await startClusterPrimary(config)) return;
  const services = await createServices(config);
  await services.verifyMail();
  const app = createApp({
    auth: services.auth,
    resetEmails: services.resetEmails,
    cookie: { secure: config.COOKIE_SECURE, maxAgeSeconds: config.SESSION_TTL_SECONDS },
    http: { trustProxy: config.TRUST_PROXY, allowedOrigins: config.ALLOWED_ORIGINS, bodyLimit: config.BODY_LIMIT },
  });
  const server = app.listen(config.PORT, config.HOST, () => {
    const { address, port } = server.address() as AddressInfo;
    console.log(`Latchkey listening on http://${address.includes(':') ? `[${address}]` : address}:${port}`);
  });
  const stop = () => {
    server.close(() => void services.close().then(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
