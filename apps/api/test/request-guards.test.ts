import { afterEach, describe, expect, it } from 'vitest';
import { MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import { createAuth, LoginThrottle, MAIL_TOPIC, OutboxWorker, PasswordResetEmails, mailDelivery } from '@latchkey/domain';
import type { MailMessage } from '@latchkey/domain';
import { createApp } from '../src/app';
import type { TestServer } from './harness';
import { form, listenLocally, sessionCookie, startTestServer } from './harness';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function call(method: string, path: string, init: RequestInit = {}, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(server!.url + path, { method, redirect: 'manual', ...init, headers: { ...(init.headers as Record<string, string>), ...extra } });
}

const BOB = form({ email: 'bob@example.com', password: 'b4l0u' });

describe('cross-origin changes (login CSRF)', () => {
  it('refuses a cross-origin POST /sessions without a cookie: 403 and no cookie', async () => {
    server = await startTestServer();
    expect((await call('POST', '/users', BOB)).status).toBe(200);
    for (const origin of ['https://evil.example', 'null']) {
      const response = await call('POST', '/sessions', BOB, { origin });
      expect([response.status, await response.json()]).toEqual([403, { message: 'cross-origin request refused' }]);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const bySecFetch = await call('POST', '/sessions', BOB, { 'sec-fetch-site': 'cross-site' });
    expect(bySecFetch.status).toBe(403);
  });

  it('refuses every cross-origin change: registration and both reset steps', async () => {
    server = await startTestServer();
    const origin = { origin: 'https://evil.example' };
    expect((await call('POST', '/users', BOB, origin)).status).toBe(403);
    expect((await call('POST', '/users', BOB)).status).toBe(200);
    expect((await call('POST', '/reset_password', form({ email: 'bob@example.com' }), origin)).status).toBe(403);
    expect((await call('PUT', '/reset_password', form({ email: 'bob@example.com', reset_token: 'x', new_password: 'n3w' }), origin)).status).toBe(403);
  });

  it('lets the service’s own origin, an allowed origin and clients without Origin (curl) log in', async () => {
    server = await startTestServer({}, { http: { allowedOrigins: ['https://app.example.com'] } });
    expect((await call('POST', '/users', BOB, { origin: server.url })).status).toBe(200);
    const clients: Array<Record<string, string>> = [{ origin: server.url }, { origin: 'https://app.example.com' }, {}, { 'sec-fetch-site': 'same-origin' }];
    for (const extra of clients) {
      const response = await call('POST', '/sessions', BOB, extra);
      expect(response.status, JSON.stringify(extra)).toBe(200);
      expect(sessionCookie(response)).toBeDefined();
    }
    expect((await call('GET', '/', {}, { origin: 'https://evil.example' })).status).toBe(200);
  });
});

describe('caching', () => {
  it('marks every answer carrying a cookie, a token or an account no-store', async () => {
    server = await startTestServer();
    const registered = await call('POST', '/users', BOB);
    const login = await call('POST', '/sessions', BOB);
    const cookie = `session_id=${sessionCookie(login)}`;
    const profile = await call('GET', '/profile', { headers: { cookie } });
    const reset = await call('POST', '/reset_password', form({ email: 'bob@example.com' }));
    const logout = await call('DELETE', '/sessions', { headers: { cookie } });
    const refused = await call('POST', '/sessions', form({ email: 'bob@example.com', password: 'wrong' }));
    for (const response of [registered, login, profile, reset, logout, refused]) {
      expect(response.headers.get('cache-control'), `${response.url} ${response.status}`).toBe('no-store');
    }
  });
});

describe('client address behind proxies (TRUST_PROXY)', () => {
  const limited = () => ({ throttle: new LoginThrottle(new MemoryThrottleStore(), { failuresPerAccount: 1000, failuresPerIp: 3, windowMs: 60_000 }) });

  it('takes the address the proxy appended, not the one the client wrote: forged entries neither dodge the limit nor reach the audit trail', async () => {
    server = await startTestServer(limited(), { http: { trustProxy: true } });
    for (let i = 0; i < 3; i++) {
      const response = await call('POST', '/sessions', form({ email: `ghost${i}@example.com`, password: 'x' }), { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.9` });
      expect(response.status).toBe(401);
    }
    const dodge = await call('POST', '/sessions', form({ email: 'ghost9@example.com', password: 'x' }), { 'x-forwarded-for': '10.9.9.99, 203.0.113.9' });
    expect(dodge.status).toBe(429);
    const [event] = await server.audit.recent({ email: 'ghost0@example.com', limit: 1 });
    expect(event!.ip).toBe('203.0.113.9');
  });

  it('counts PROXY_HOPS entries from the right when several proxies append', async () => {
    server = await startTestServer(limited(), { http: { trustProxy: true, proxyHops: 2 } });
    await call('POST', '/sessions', form({ email: 'ghost@example.com', password: 'x' }), { 'x-forwarded-for': 'forged, 198.51.100.4, 10.0.0.2' });
    const [event] = await server.audit.recent({ email: 'ghost@example.com', limit: 1 });
    expect(event!.ip).toBe('198.51.100.4');
  });
});

describe('RESET_TOKEN_DELIVERY=email', () => {
  it('refuses an impossible email with 400 before answering, and sends nothing', async () => {
    const sent: MailMessage[] = [];
    const stores = memoryStores();
    const auth = createAuth({ ...stores, hasher: { hash: async (p) => p, verify: async (p, h) => p === h, needsRehash: () => false } });
    const outbox = new OutboxWorker({ store: stores.outbox }).handle(MAIL_TOPIC, mailDelivery({ send: async (message) => void sent.push(message) }));
    const resetEmails = new PasswordResetEmails(auth.passwords, outbox, { urlTemplate: 'https://x/{token}', tokenTtlMs: 60_000 });
    for (const [topic, handler] of Object.entries(resetEmails.outboxHandlers())) outbox.handle(topic, handler);
    const app = createApp({ auth, resetEmails, cookie: { secure: false, maxAgeSeconds: 60 } });
    const listening = await listenLocally(app);
    try {
      const url = `${listening.url}/reset_password`;
      const response = await fetch(url, { method: 'POST', ...form({ email: `${'x'.repeat(300)}@example.com` }) });
      expect([response.status, await response.json()]).toEqual([400, { message: 'email must be at most 254 bytes', code: 'invalid_input' }]);
      await resetEmails.drain();
      expect(sent).toEqual([]);
    } finally {
      await listening.close();
    }
  });
});
