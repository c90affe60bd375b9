import { createServer } from 'node:http';
import type { RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { databaseReadiness } from '@latchkey/adapters';
import type { Config, Services } from '@latchkey/runtime';
import { createServices } from '@latchkey/runtime';
import type Koa from 'koa';
import { createApp } from './app';
import type { AppDeps } from './app';
import type { Logger } from './logger';
import { createLogger } from './logger';
import { Metrics, countedLogins, timedHasher } from './metrics';
import { pageSettingsFrom } from './pages/page-settings';
import { Readiness } from './readiness';
import { SessionSweeper } from './session-sweeper';

export interface RunningServer {
  url: string;
  server: Server;
  logger: Logger;
  /** Stops accepting, lets in-flight requests finish, closes the pool; resolves when done. */
  shutdown(reason: string): Promise<void>;
}

/**
 * Builds the services and the app from the config, listens, and on SIGTERM or SIGINT
 * shuts down gracefully: exit 0 once in-flight requests are answered and the pool is
 * closed, exit 1 when that takes longer than SHUTDOWN_TIMEOUT_SECONDS.
 */
export async function startServer(config: Config, logger: Logger = createLogger(config.LOG_LEVEL)): Promise<RunningServer> {
  const metrics = new Metrics();
  const services = await createServices(config, {
    logger,
    wrapHasher: (hasher) => timedHasher(hasher, metrics),
    wrapAudit: (audit) => countedLogins(audit, metrics),
    pruneAudit: true,
  });
  await services.verifyMail();
  // The first start on a new database makes the first signing key (one instance wins the race, the others read it).
  await services.auth.tokens.prepare().catch((error: unknown) => logger.info({ err: (error as Error).message }, 'signed tokens are unavailable until this is fixed'));
  const readiness = new Readiness(() => databaseReadiness(services.knex));
  const appOf = (routes: 'all' | 'public' | 'admin') => createAppFor(config, services, { logger, metrics, readiness, routes });
  // With ADMIN_PORT the admin API is served on a listener of its own, and not on the public one.
  const separateAdmin = config.ADMIN_PORT !== undefined;
  const connections = new ClosingConnections(appOf(separateAdmin ? 'public' : 'all').callback());
  const server = await listen(connections, config.PORT, config.HOST, httpTimeouts(config));
  const url = urlOf(server);
  const listeners = [{ server, connections }];
  if (separateAdmin) {
    const adminConnections = new ClosingConnections(appOf('admin').callback());
    const adminServer = await listen(adminConnections, config.ADMIN_PORT!, config.ADMIN_HOST, httpTimeouts(config));
    listeners.push({ server: adminServer, connections: adminConnections });
  }
  logger.info({ url }, `Latchkey listening on ${url}`);
  // After the public line, which scripts and tests read the URL from.
  if (listeners[1]) logger.info({ url: urlOf(listeners[1].server) }, `Latchkey admin API listening on ${urlOf(listeners[1].server)}`);
  // Mail waiting in the outbox (retries, what a stopped instance left) is polled for from now on.
  services.outbox.start();
  // So are webhook deliveries: what other instances or a stopped one left, and retries come due.
  services.dispatcher.start();
  const sweeper = new SessionSweeper(
    services.auth,
    { intervalSeconds: config.SESSION_SWEEP_INTERVAL_SECONDS, batch: config.SESSION_SWEEP_BATCH },
    logger,
  ).start();
  const running: RunningServer = { url, server, logger, shutdown: drainOnce(listeners, services, readiness, logger, sweeper) };
  exitOnSignals(running, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
  return running;
}

/**
 * The app a server built from this configuration and these services answers with: the
 * JSON API, and the hosted pages when HOSTED_PAGES is on. Tests of the real wiring serve it too.
 */
export function createAppFor(config: Config, services: Services, extras: Pick<AppDeps, 'logger' | 'metrics' | 'readiness' | 'logError' | 'routes'> = {}): Koa {
  return createApp({
    auth: services.auth,
    resetEmails: services.resetEmails,
    cookie: { secure: config.COOKIE_SECURE, maxAgeSeconds: config.SESSION_TTL_SECONDS, domain: config.COOKIE_DOMAIN, sameSite: config.COOKIE_SAMESITE },
    http: { trustProxy: config.TRUST_PROXY, proxyHops: config.PROXY_HOPS, allowedOrigins: config.ALLOWED_ORIGINS, bodyLimit: config.BODY_LIMIT, corsOrigins: config.CORS_ORIGINS },
    // The pages are for people: never on the admin API's own listener.
    pages: config.HOSTED_PAGES && extras.routes !== 'admin' ? pageSettingsFrom(config, services) : undefined,
    ...extras,
  });
}

interface HttpTimeouts {
  requestTimeout: number;
  headersTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
}

/**
 * Set here rather than left to Node's defaults (5 minutes for a request): a client that
 * sends slowly, or a connection left behind by a worker that died, is closed in bounded time.
 */
function httpTimeouts(config: Config): HttpTimeouts {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000;
  const headersTimeout = config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000;
  // Node enforces the two timeouts above at this interval: 30 s unless told.
  return { requestTimeout, headersTimeout, keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000, connectionsCheckingInterval: 1000 };
}

function listen(connections: ClosingConnections, port: number, host: string, timeouts: HttpTimeouts): Promise<Server> {
  return new Promise((resolve, reject) => {
    const { keepAliveTimeout, ...options } = timeouts;
    const server = createServer(options, connections.handler);
    connections.track(server);
    server.keepAliveTimeout = keepAliveTimeout;
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * Tells keep-alive clients of a draining server to close: otherwise server.close() would
 * wait for their idle timeout. Connections are tracked rather than responses, each holding
 * its latest response: a keep-alive client sends many requests on one connection, and a
 * Set entry and a 'close' listener per response would be paid on every request.
 */
class ClosingConnections {
  private readonly sockets = new Set<Socket>();
  private closing = false;

  constructor(private readonly next: RequestListener) {}

  readonly handler: RequestListener = (request, response) => {
    if (this.closing) response.setHeader('Connection', 'close');
    (request.socket as TrackedSocket)[LATEST_RESPONSE] = response;
    this.next(request, response);
  };

  /** Follows the server's connections, from before its first request. */
  track(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  close(): void {
    this.closing = true;
    for (const socket of this.sockets) {
      const response = (socket as TrackedSocket)[LATEST_RESPONSE];
      if (response && !response.headersSent) response.setHeader('Connection', 'close');
    }
  }
}

const LATEST_RESPONSE = Symbol('latest response');

interface TrackedSocket extends Socket {
  [LATEST_RESPONSE]?: ServerResponse;
}

function drainOnce(
  listeners: ReadonlyArray<{ server: Server; connections: ClosingConnections }>,
  services: Services,
  readiness: Readiness,
  logger: Logger,
  sweeper: SessionSweeper,
): (reason: string) => Promise<void> {
  let draining: Promise<void> | undefined;
  return (reason) => {
    draining ??= (async () => {
      logger.info({ reason }, 'shutting down: finishing in-flight requests');
      readiness.drain();
      // close() stops accepting and ends idle keep-alive connections; busy ones end after their response.
      await Promise.all(
        listeners.map(({ server, connections }) => {
          connections.close();
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          return closed;
        }),
      );
      await sweeper.stop();
      // Sends what the outbox has due within its share of the deadline; the rest stays stored.
      await services.close();
      logger.info('stopped');
    })();
    return draining;
  };
}

function exitOnSignals(running: RunningServer, timeoutMs: number): void {
  const onSignal = (signal: NodeJS.Signals) => {
    const timer = setTimeout(() => {
      running.logger.error({ timeoutMs }, 'shutdown timed out: closing the remaining connections');
      running.server.closeAllConnections();
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    running.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        running.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
