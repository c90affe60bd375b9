import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type Koa from 'koa';
import type { Knex } from '@latchkey/adapters';
import { randomBytes } from 'node:crypto';
import {
  AesGcmSecretBox,
  BcryptPasswordHasher,
  KnexAccountRepository,
  KnexAuditLog,
  KnexEmailTokenRepository,
  KnexPasswordResetTokenRepository,
  KnexPendingLoginRepository,
  KnexSecondFactorRepository,
  KnexSessionRepository,
  KnexUserRepository,
  MemoryThrottleStore,
  createKnex,
  databaseReadiness,
  migrateToLatest,
} from '@latchkey/adapters';
import type { AuthService } from '@latchkey/domain';
import { createAuth, SecondFactorThrottle } from '@latchkey/domain';
import type { AuthServiceDeps, SecondFactorDeps } from '@latchkey/domain';
import { createApp } from '../src/app';
import type { HttpSettings } from '../src/app';
import type { LogLevel } from '../src/logger';
import { createLogger } from '../src/logger';
import { Metrics, timedHasher } from '../src/metrics';
import { Readiness } from '../src/readiness';
import type { CookieSettings } from '../src/cookies';
import { checkResponsesAgainstDocument } from './openapi-validator';

export interface TestServer {
  url: string;
  auth: AuthService;
  knex: Knex;
  audit: KnexAuditLog;
  metrics: Metrics;
  readiness: Readiness;
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Responses so far that differ from the OpenAPI document (close() fails when any). */
  openApiProblems: string[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  databaseUrl?: string;
  /** Deadline of each query (DATABASE_TIMEOUT_MS); none when absent. */
  databaseTimeoutMs?: number;
  http?: Partial<HttpSettings>;
  cookie?: Partial<CookieSettings>;
  logLevel?: LogLevel;
  /** The second factor's storage and settings; by default on the same database, a key of the test's, 5 wrong codes per account. */
  secondFactor?: (knex: Knex) => SecondFactorDeps;
}

function defaultSecondFactor(knex: Knex): SecondFactorDeps {
  return {
    factors: new KnexSecondFactorRepository(knex),
    pendingLogins: new KnexPendingLoginRepository(knex),
    box: new AesGcmSecretBox([randomBytes(32)]),
    throttle: new SecondFactorThrottle(new MemoryThrottleStore(), { failuresPerAccount: 5, windowMs: 900_000 }),
  };
}

/**
 * The real app over SQLite in memory, listening on a free port of 127.0.0.1, its logs
 * kept in memory and each of its responses checked against the OpenAPI document.
 */
export async function startTestServer(overrides: Partial<AuthServiceDeps> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  // Knex warns of each failed connection attempt: outage tests make many on purpose.
  const knex = createKnex(options.databaseUrl ?? 'sqlite::memory:', { timeoutMs: options.databaseTimeoutMs, log: { warn: () => {} } });
  await migrateToLatest(knex);
  const metrics = new Metrics();
  const hasher = timedHasher(new BcryptPasswordHasher(4), metrics);
  const audit = new KnexAuditLog(knex);
  const auth = createAuth({
    users: new KnexUserRepository(knex),
    resetTokens: new KnexPasswordResetTokenRepository(knex),
    sessions: new KnexSessionRepository(knex),
    hasher,
    audit,
    account: { accounts: new KnexAccountRepository(knex), emailTokens: new KnexEmailTokenRepository(knex) },
    secondFactor: (options.secondFactor ?? defaultSecondFactor)(knex),
    ...overrides,
  });
  const readiness = new Readiness(() => databaseReadiness(knex), 500);
  let logText = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logText += String(chunk);
      done();
    },
  });
  const logger = createLogger(options.logLevel ?? 'debug', destination);
  const app = createApp({
    auth,
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
    auth,
    knex,
    audit,
    metrics,
    readiness,
    logs: () => logText.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
    openApiProblems,
    close: async () => {
      await server.close();
      await knex.destroy().catch(() => {});
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
