import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type Koa from 'koa';
import type { Knex } from '@latchkey/adapters';
import { BcryptPasswordHasher, databaseReadiness } from '@latchkey/adapters';
import type { ApiKeys, AuditLog, AuthService, AuthServiceDeps, WebhookDispatcher, WebhookEndpoints } from '@latchkey/domain';
import { createServices, loadConfig } from '@latchkey/runtime';
import type { Config, WebhookOptions } from '@latchkey/runtime';
import { createApp } from '../src/app';
import type { HttpSettings } from '../src/app';
import type { LogLevel } from '../src/logger';
import { createLogger } from '../src/logger';
import { Metrics, countedLogins, timedHasher } from '../src/metrics';
import { Readiness } from '../src/readiness';
import type { CookieSettings } from '../src/cookies';
import { checkResponsesAgainstDocument } from './openapi-validator';

export interface TestServer {
  url: string;
  auth: AuthService;
  knex: Knex;
  audit: AuditLog;
  metrics: Metrics;
  readiness: Readiness;
  /** Webhook endpoints and the dispatcher of these services. */
  webhooks: WebhookEndpoints;
  dispatcher: WebhookDispatcher;
  /** The admin API's keys. */
  apiKeys: ApiKeys;
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Responses so far that differ from the OpenAPI document (close() fails when any). */
  openApiProblems: string[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** DATABASE_URL; SQLite in memory when absent. */
  databaseUrl?: string;
  /** Deadline of each query (DATABASE_TIMEOUT_MS); none to speak of when absent. */
  databaseTimeoutMs?: number;
  /**
   * Settings as the server reads them from the environment (LOGIN_FAILURES_PER_IP,
   * REDIS_URL, NODE_ENV, ...), over the defaults of production.
   */
  settings?: Partial<Config>;
  http?: Partial<HttpSettings>;
  cookie?: Partial<CookieSettings>;
  logLevel?: LogLevel;
  /** The webhook dispatcher's bounds (short backoffs, a fast poll), its sender or clock. */
  webhooks?: WebhookOptions;
  /** Start polling for webhook deliveries, as a server does. */
  dispatch?: boolean;
}

/** The longest deadline DATABASE_TIMEOUT_MS takes: tests that time queries set their own. */
const NO_DEADLINE_MS = 600_000;

/** Production's settings, on SQLite in memory unless told, with a test's own over them. */
function testConfig(options: TestServerOptions): Config {
  const defaults = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl ?? 'sqlite::memory:',
    DATABASE_TIMEOUT_MS: String(options.databaseTimeoutMs ?? NO_DEADLINE_MS),
  });
  return { ...defaults, ...options.settings };
}

/**
 * The real app on the services the server builds (createServices: the same repositories,
 * throttles, policy and second factor, from production's settings), listening on a free
 * port of 127.0.0.1, its logs kept in memory and each of its responses checked against the
 * OpenAPI document. Hashing is bcrypt at cost 4 on libuv's pool, timed into the metrics,
 * unless `overrides` gives a hasher: a test's many concurrent logins are then neither slowed
 * by production's cost nor refused by its bounded queue, which tests of their own cover.
 * `overrides` replaces parts of AuthService (a fake clock, a throttle of the test's own).
 */
export async function startTestServer(overrides: Partial<AuthServiceDeps> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const metrics = new Metrics();
  let logText = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logText += String(chunk);
      done();
    },
  });
  const logger = createLogger(options.logLevel ?? 'debug', destination);
  const services = await createServices(testConfig(options), {
    logger,
    overrides: { hasher: timedHasher(new BcryptPasswordHasher(4), metrics), ...overrides },
    wrapAudit: (audit) => countedLogins(audit, metrics),
    webhooks: options.webhooks,
  });
  if (options.dispatch) services.dispatcher.start();
  const readiness = new Readiness(() => databaseReadiness(services.knex), 500);
  const app = createApp({
    auth: services.auth,
    resetEmails: services.resetEmails,
    cookie: { secure: false, maxAgeSeconds: 604800, ...options.cookie },
    http: options.http,
    logger,
    metrics,
    readiness,
  });
  const openApiProblems: string[] = [];
  app.middleware.unshift(checkResponsesAgainstDocument(openApiProblems));
  const server = await listenLocally(app);
  return {
    url: server.url,
    auth: services.auth,
    knex: services.knex,
    audit: services.audit,
    metrics,
    readiness,
    webhooks: services.webhooks,
    dispatcher: services.dispatcher,
    apiKeys: services.apiKeys,
    logs: () => logText.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
    openApiProblems,
    close: async () => {
      await server.close();
      await services.close();
      if (openApiProblems.length > 0) throw new Error(`responses differ from the OpenAPI document:\n${openApiProblems.join('\n')}`);
    },
  };
}

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the app on a free port of 127.0.0.1 (or the one given), as a client reaches it: over a real socket. */
export async function listenLocally(app: Koa, port = 0): Promise<LocalServer> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function form(fields: Record<string, string>): RequestInit {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

export function json(value: unknown): RequestInit {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/** The value of the session_id cookie a response sets, if any. */
export function sessionCookie(response: Response): string | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith('session_id='));
  return header?.split(';')[0]?.slice('session_id='.length);
}
