import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from '@latchkey/adapters';
import { BcryptPasswordHasher, KnexUserRepository, createKnex, migrateToLatest } from '@latchkey/adapters';
import { AuthService } from '@latchkey/domain';
import type { AuthServiceDeps } from '@latchkey/domain';
import { createApp } from '../src/app';
import type { HttpSettings } from '../src/app';
import type { CookieSettings } from '../src/session-cookie';

export interface TestServerOptions {
  databaseUrl?: string;
  http?: Partial<HttpSettings>;
  cookie?: Partial<CookieSettings>;
}

export interface TestServer {
  url: string;
  auth: AuthService;
  knex: Knex;
  close(): Promise<void>;
}

/** The real app over SQLite in memory, listening on a free port of 127.0.0.1. */
export async function startTestServer(overrides: Partial<AuthServiceDeps> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const knex = createKnex(options.databaseUrl ?? 'sqlite::memory:');
  await migrateToLatest(knex);
  const auth = new AuthService({ users: new KnexUserRepository(knex), hasher: new BcryptPasswordHasher(4), ...overrides });
  const app = createApp({
    auth,
    cookie: { secure: false, maxAgeSeconds: 604800, ...options.cookie },
    http: options.http,
    logError: () => {},
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    auth,
    knex,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await knex.destroy();
    },
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
