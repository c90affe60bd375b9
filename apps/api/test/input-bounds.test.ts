import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPostgres, createScratchDatabase } from '../../../packages/adapters/test/real-services';
import type { ScratchDatabase } from '../../../packages/adapters/test/real-services';
import type { TestServer } from './harness';
import { form, json, startTestServer } from './harness';

const postgres = await checkPostgres();

interface Database {
  name: string;
  skip: boolean;
  url(): Promise<string>;
  done(): Promise<void>;
}

const sqlite: Database = { name: 'SQLite', skip: false, url: async () => 'sqlite::memory:', done: async () => {} };
let scratch: ScratchDatabase | undefined;
const pg: Database = {
  name: 'PostgreSQL',
  skip: !postgres.available,
  url: async () => (scratch ??= await createScratchDatabase()).url,
  done: async () => {
    await scratch?.drop();
    scratch = undefined;
  },
};

const LONG = `${'x'.repeat(243)}@example.com`; // 255 octets: one past RFC 5321's 254
const HUGE = `${'x'.repeat(15_000)}@example.com`;
const REFUSED_EMAILS = [
  LONG,
  `${'x'.repeat(321)}@example.com`,
  HUGE,
  'bob\u0000@example.com',
  'bob\u0007@example.com',
  'bob\uFFFD@example.com',
  'bob\uD800@example.com',
  'bob\uDC00@example.com',
  'bob@@example.com',
  'bob.example.com',
  '@example.com',
  'bob@',
];

describe.each([sqlite, pg])('bounded input on $name', (database) => {
  let server: TestServer;
  beforeAll(async () => {
    if (database.skip) return;
    server = await startTestServer({}, { databaseUrl: await database.url(), http: { trustProxy: true } });
    expect((await call('POST', '/users', form({ email: 'bob@example.com', password: 'b4l0u' }))).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await database.done();
  });
  const call = (method: string, path: string, init: RequestInit = {}) => fetch(server.url + path, { method, redirect: 'manual', ...init });

  it.skipIf(database.skip)('answers 400, not 500, to a JSON body that is not valid gzip, deflate or br data', async () => {
    const body = JSON.stringify({ email: 'carl@example.com', password: 'b4l0u' });
    for (const encoding of ['gzip', 'deflate', 'br']) {
      for (const data of [Buffer.from(body), gzipSync(body).subarray(0, 20), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xff])]) {
        const response = await call('POST', '/users', { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: data });
        expect(response.status, `${encoding}: ${data.toString('hex').slice(0, 40)}`).toBe(400);
        expect(await response.json()).toEqual({ message: 'the body is not valid compressed data' });
      }
    }
    const valid = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
    for (const [encoding, compress] of Object.entries(valid)) {
      const email = `${encoding}@example.com`;
      const response = await call('POST', '/users', { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: compress(JSON.stringify({ email, password: 'b4l0u' })) });
      expect(response.status).toBe(200);
    }
  });

  it.skipIf(database.skip)(`refuses ${REFUSED_EMAILS.length} kinds of impossible email with 400 before any database work, and login answers them 401`, async () => {
    const wrong = await call('POST', '/sessions', form({ email: 'nobody@example.com', password: 'x' }));
    const wrongBody = await wrong.text();
    for (const email of REFUSED_EMAILS) {
      const label = JSON.stringify(email.slice(0, 40));
      const register = await call('POST', '/users', json({ email, password: 'b4l0u' }));
      expect(register.status, label).toBe(400);
      expect(((await register.json()) as { message: string }).message, label).toMatch(/^email /);
      expect((await call('POST', '/reset_password', json({ email }))).status, label).toBe(400);
      expect((await call('PUT', '/reset_password', json({ email, reset_token: 'x', new_password: 'n3w' }))).status, label).toBe(400);
      const login = await call('POST', '/sessions', json({ email, password: 'b4l0u' }));
      expect([login.status, await login.text()], label).toEqual([401, wrongBody]);
    }
  });

  it.skipIf(database.skip)('keeps one account per address: no look-alike through case, spaces or Unicode forms', async () => {
    expect((await call('POST', '/users', json({ email: 'ZOË@example.com', password: 'b4l0u' }))).status).toBe(200);
    for (const email of [' zoë@EXAMPLE.com ', 'zoe\u0308@example.com', 'ZOE\u0308@example.com']) {
      const response = await call('POST', '/users', json({ email, password: 'b4l0u' }));
      expect([response.status, await response.json()]).toEqual([400, { message: 'email already registered', code: 'user_already_exists' }]);
    }
    expect((await call('POST', '/sessions', json({ email: 'zoe\u0308@example.com', password: 'b4l0u' }))).status).toBe(200);
  });

  it.skipIf(database.skip)('accepts an email of exactly 254 octets', async () => {
    const email = `${'y'.repeat(242)}@example.com`;
    const response = await call('POST', '/users', form({ email, password: 'b4l0u' }));
    expect([response.status, await response.json()]).toEqual([200, { email, message: 'user created' }]);
  });

  it.skipIf(database.skip)('cuts a forwarded address of any length to 64 characters before writing it: 200, and the audit row says so', async () => {
    const address = 'f'.repeat(100);
    const response = await call('POST', '/users', { ...form({ email: 'dora@example.com', password: 'b4l0u' }), headers: { ...form({}).headers, 'x-forwarded-for': address } });
    expect(response.status).toBe(200);
    const [event] = await server.audit.recent({ email: 'dora@example.com', limit: 1 });
    expect(event).toMatchObject({ type: 'register', ip: address.slice(0, 64) });
  });
});
