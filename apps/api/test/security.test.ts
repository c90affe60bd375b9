import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BcryptPasswordHasher, CommonPasswordList, KnexPasswordResetTokenRepository, KnexSessionRepository, KnexUserRepository, MemoryThrottleStore } from '@latchkey/adapters';
import { createAuth, LoginThrottle, PasswordPolicy } from '@latchkey/domain';
import type { TestServer } from './harness';
import { form, json, sessionCookie, startTestServer } from './harness';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function call(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(server!.url + path, { method, redirect: 'manual', ...init });
}

function headers(init: RequestInit, extra: Record<string, string>): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string>), ...extra } };
}

async function registerAndLogin(email = 'bob@example.com', password = 'b4l0u'): Promise<string> {
  expect((await call('POST', '/users', form({ email, password }))).status).toBe(200);
  return sessionCookie(await call('POST', '/sessions', form({ email, password })))!;
}

function throttled(limits: { failuresPerAccount?: number; failuresPerIp?: number }) {
  return { throttle: new LoginThrottle(new MemoryThrottleStore(), { windowMs: 60_000, ...limits }) };
}

describe('login throttling over HTTP', () => {
  it('answers 429 with Retry-After past the account limit, even for the right password', async () => {
    server = await startTestServer(throttled({ failuresPerAccount: 3 }));
    await registerAndLogin();
    for (let i = 0; i < 3; i++) expect((await call('POST', '/sessions', form({ email: 'bob@example.com', password: 'x' }))).status).toBe(401);
    const locked = await call('POST', '/sessions', form({ email: 'bob@example.com', password: 'b4l0u' }));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(await locked.json()).toEqual({ message: 'too many failed logins; try again later', code: 'too_many_attempts' });
  });

  it('counts per client address, from X-Forwarded-For only behind a trusted proxy', async () => {
    server = await startTestServer(throttled({ failuresPerAccount: 100, failuresPerIp: 2 }), { http: { trustProxy: true } });
    await registerAndLogin();
    const attempt = (ip: string, password: string) =>
      call('POST', '/sessions', headers(form({ email: 'bob@example.com', password }), { 'x-forwarded-for': ip }));
    expect((await attempt('203.0.113.1', 'x')).status).toBe(401);
    expect((await attempt('203.0.113.1', 'x')).status).toBe(401);
    expect((await attempt('203.0.113.1', 'b4l0u')).status).toBe(429);
    expect((await attempt('203.0.113.2', 'b4l0u')).status).toBe(200);
  });

  it('ignores X-Forwarded-For when the proxy is not trusted', async () => {
    server = await startTestServer(throttled({ failuresPerAccount: 100, failuresPerIp: 2 }));
    await registerAndLogin();
    for (const ip of ['203.0.113.1', '203.0.113.2']) {
      await call('POST', '/sessions', headers(form({ email: 'bob@example.com', password: 'x' }), { 'x-forwarded-for': ip }));
    }
    const response = await call('POST', '/sessions', headers(form({ email: 'bob@example.com', password: 'b4l0u' }), { 'x-forwarded-for': '203.0.113.3' }));
    expect(response.status).toBe(429);
  });
});

describe('login throttling with its counters unreachable', () => {
  it('answers 503 with Retry-After, not 500, and lets no login through', async () => {
    const down = () => Promise.reject(new Error('connection refused'));
    server = await startTestServer({ throttle: new LoginThrottle({ hit: down, take: down, giveBack: down, peek: down, reset: down }) });
    expect((await call('POST', '/users', form({ email: 'bob@example.com', password: 'b4l0u' }))).status).toBe(200);
    const response = await call('POST', '/sessions', form({ email: 'bob@example.com', password: 'b4l0u' }));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(sessionCookie(response)).toBeUndefined();
  });
});

describe('session cookie', () => {
  it('is Secure when configured, and a new login issues a new id', async () => {
    server = await startTestServer({}, { cookie: { secure: true, maxAgeSeconds: 3600 } });
    const first = await registerAndLogin();
    const response = await call('POST', '/sessions', form({ email: 'bob@example.com', password: 'b4l0u' }));
    expect(response.headers.getSetCookie()[0]).toMatch(/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure$/);
    expect(sessionCookie(response)).not.toBe(first);
    // Each login is a session of its own (another device): the first one still opens.
    expect((await call('GET', '/profile', { headers: { cookie: `session_id=${first}` } })).status).toBe(200);
  });
});

describe('cross-origin requests', () => {
  it('refuses a cookie-authenticated DELETE /sessions from another origin and keeps the session', async () => {
    server = await startTestServer({}, { http: { allowedOrigins: ['https://app.example.com'] } });
    const sid = await registerAndLogin();
    const cookie = `session_id=${sid}`;
    const evil = await call('DELETE', '/sessions', { headers: { cookie, origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toEqual({ message: 'cross-origin request refused' });
    expect((await call('DELETE', '/sessions', { headers: { cookie, origin: 'null' } })).status).toBe(403);
    expect((await call('GET', '/profile', { headers: { cookie } })).status).toBe(200);
    expect((await call('DELETE', '/sessions', { headers: { cookie, origin: 'https://app.example.com' } })).status).toBe(302);
  });

  it('accepts the service’s own origin and requests without Origin', async () => {
    server = await startTestServer();
    const own = await registerAndLogin();
    expect((await call('DELETE', '/sessions', { headers: { cookie: `session_id=${own}`, origin: server.url } })).status).toBe(302);
    const plain = sessionCookie(await call('POST', '/sessions', form({ email: 'bob@example.com', password: 'b4l0u' })))!;
    expect((await call('DELETE', '/sessions', { headers: { cookie: `session_id=${plain}` } })).status).toBe(302);
  });
});

describe('bad input', () => {
  it('answers 413 JSON for a body over the limit', async () => {
    server = await startTestServer({}, { http: { bodyLimit: '1kb' } });
    for (const init of [form({ email: 'a@example.com', password: 'x'.repeat(2000) }), json({ email: 'a@example.com', password: 'x'.repeat(2000) })]) {
      const response = await call('POST', '/users', init);
      expect(response.status).toBe(413);
      expect(await response.json()).toHaveProperty('message');
    }
  });

  it('answers 415 JSON for an unsupported content type', async () => {
    server = await startTestServer();
    const response = await call('POST', '/users', { headers: { 'content-type': 'text/plain' }, body: 'email=a@example.com' });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toMatch(/x-www-form-urlencoded/);
  });

  it('refuses a common password with a clear 400, and accepts the contract’s own', async () => {
    const list = new CommonPasswordList();
    expect(list.size).toBeGreaterThan(9_900);
    server = await startTestServer({ policy: new PasswordPolicy({ isCommon: (pw) => list.has(pw) }) });
    const response = await call('POST', '/users', form({ email: 'a@example.com', password: 'Password1' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'Password is too common; choose another', code: 'invalid_input' });
    expect((await call('POST', '/users', form({ email: 'a@example.com', password: 'b4l0u' }))).status).toBe(200);
  });
});

describe('registration race', () => {
  it('lets exactly one of concurrent registrations of one email succeed; the others get the 400', async () => {
    server = await startTestServer();
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call('POST', '/users', form({ email: i % 2 ? 'Race@Example.com' : 'race@example.com', password: 'b4l0u' }))),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(11);
  });
});

describe('secrets at rest', () => {
  it('a dump of the SQLite files after a login and a reset contains neither the cookie nor the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-dump-'));
    try {
      server = await startTestServer({}, { databaseUrl: `sqlite:${join(dir, 'users.db')}` });
      const sid = await registerAndLogin();
      const token = (await (await call('POST', '/reset_password', form({ email: 'bob@example.com' }))).json()) as { reset_token: string };
      const files = readdirSync(dir).map((name) => readFileSync(join(dir, name)));
      const dump = Buffer.concat(files).toString('latin1');
      expect(dump).toContain('bob@example.com');
      expect(dump).not.toContain(sid);
      expect(dump).not.toContain(token.reset_token);
      expect(dump).not.toContain('b4l0u');
    } finally {
      await server?.close();
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('expiry and rehashing over HTTP', () => {
  class ManualClock {
    time = Date.UTC(2026, 0, 1);
    now(): number {
      return this.time;
    }
  }

  it('a session cookie stops working after the idle limit and after the absolute limit', async () => {
    const clock = new ManualClock();
    server = await startTestServer({ clock, settings: { sessionIdleMs: 3_600_000, sessionTtlMs: 4 * 3_600_000 } });
    const sid = await registerAndLogin();
    const profile = () => call('GET', '/profile', { headers: { cookie: `session_id=${sid}` } });
    for (let step = 0; step < 4; step++) {
      clock.time += 3_500_000;
      expect((await profile()).status).toBe(200);
    }
    clock.time += 3_500_000;
    expect((await profile()).status).toBe(403);

    const idle = sessionCookie(await call('POST', '/sessions', form({ email: 'bob@example.com', password: 'b4l0u' })))!;
    clock.time += 3_600_000;
    expect((await call('GET', '/profile', { headers: { cookie: `session_id=${idle}` } })).status).toBe(403);
  });

  it('a reset token expires, is bound to its email, and using it ends the session', async () => {
    const clock = new ManualClock();
    server = await startTestServer({ clock, settings: { resetTokenTtlMs: 600_000 } });
    const sid = await registerAndLogin();
    await call('POST', '/users', form({ email: 'eve@example.com', password: 'b4l0u' }));
    const token = async () => ((await (await call('POST', '/reset_password', form({ email: 'bob@example.com' }))).json()) as { reset_token: string }).reset_token;
    const put = (email: string, resetToken: string) => call('PUT', '/reset_password', form({ email, reset_token: resetToken, new_password: 'n3w' }));

    const stale = await token();
    clock.time += 600_000;
    expect((await put('bob@example.com', stale)).status).toBe(403);

    const fresh = await token();
    expect((await put('eve@example.com', fresh)).status).toBe(403);
    expect((await put('bob@example.com', fresh)).status).toBe(200);
    expect((await call('GET', '/profile', { headers: { cookie: `session_id=${sid}` } })).status).toBe(403);
  });

  it('a login re-hashes a password stored at a lower cost', async () => {
    server = await startTestServer({ hasher: new BcryptPasswordHasher(4) });
    await call('POST', '/users', form({ email: 'bob@example.com', password: 'b4l0u' }));
    const upgraded = createAuth({
      users: new KnexUserRepository(server.knex),
      resetTokens: new KnexPasswordResetTokenRepository(server.knex),
      sessions: new KnexSessionRepository(server.knex),
      hasher: new BcryptPasswordHasher(5),
    });
    await upgraded.logins.login('bob@example.com', 'b4l0u');
    const [row] = await server.knex('users').select('hashed_password');
    expect((row as { hashed_password: string }).hashed_password).toMatch(/^\$2b\$05\$/);
  });
});
