import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/openapi-document';
import { createApp } from '../src/app';
import type { TestServer } from './harness';
import { form, listenLocally, sessionCookie, startTestServer } from './harness';

let server: TestServer;
let admin: string;
let reader: string;
let revoked: string;
let adminId: number;

beforeAll(async () => {
  server = await startTestServer({}, { settings: { ENCRYPTION_KEYS: [randomBytes(32).toString('base64')] } });
  const made = await server.apiKeys.create('support tool', false);
  admin = made.key;
  adminId = made.record.id;
  reader = (await server.apiKeys.create('dashboard', true)).key;
  const gone = await server.apiKeys.create('old tool', false);
  revoked = gone.key;
  await server.apiKeys.revoke(gone.record.id);
});
afterAll(async () => {
  await server.close();
});

function call(method: string, path: string, key?: string, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (key !== undefined) headers.authorization = key;
  return fetch(server.url + path, { ...init, method, headers, redirect: 'manual' });
}

const bearer = (key: string) => `Bearer ${key}`;

async function register(email: string, password = 'pass-admin'): Promise<{ id: number; cookie: string }> {
  expect((await fetch(`${server.url}/users`, { method: 'POST', ...form({ email, password }) })).status).toBe(200);
  const login = await fetch(`${server.url}/sessions`, { method: 'POST', ...form({ email, password }), redirect: 'manual' });
  const found = await call('GET', `/admin/users?email=${encodeURIComponent(email)}`, bearer(admin));
  const { users } = (await found.json()) as { users: Array<{ id: number }> };
  return { id: users[0]!.id, cookie: sessionCookie(login)! };
}

describe('the admin API with Bearer keys', () => {
  it('refuses a missing, malformed, wrong or revoked key with 401 and WWW-Authenticate; audits nothing for them', async () => {
    for (const key of [undefined, '', 'Bearer', `Basic ${admin}`, `Bearer ${admin}x`, `Bearer lk_${randomBytes(32).toString('base64url')}`, bearer(revoked), admin]) {
      const response = await call('GET', '/admin/users', key);
      expect(response.status, String(key)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="latchkey-admin"');
      expect(await response.json()).toEqual({ message: 'a valid API key is required', code: 'invalid_api_key' });
    }
    for (const [method, path] of [['GET', '/admin/users/1'], ['DELETE', '/admin/users/1'], ['DELETE', '/admin/users/1/sessions'], ['POST', '/admin/users/1/reset_token'], ['DELETE', '/admin/users/1/second_factor']]) {
      expect((await call(method!, path!, bearer(`lk_${'A'.repeat(43)}`))).status).toBe(401);
    }
  });

  it('lists users in pages with a cursor, finds one by address, shows one with sessions, verification and second factor', async () => {
    const emails = ['page-a@example.com', 'page-b@example.com', 'page-c@example.com'];
    for (const email of emails) await register(email);
    const first = await call('GET', '/admin/users?limit=2', bearer(reader));
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { users: Array<{ id: number; email: string }>; next_cursor: string | null };
    expect(page1.users).toHaveLength(2);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = (await (await call('GET', `/admin/users?limit=2&cursor=${page1.next_cursor}`, bearer(reader))).json()) as typeof page1;
    const all = [...page1.users, ...page2.users].map((user) => user.email);
    for (const email of emails) expect(all).toContain(email);
    expect(new Set([...page1.users, ...page2.users].map((user) => user.id)).size).toBe(page1.users.length + page2.users.length);
    const found = (await (await call('GET', '/admin/users?email=PAGE-B@example.com', bearer(reader))).json()) as typeof page1;
    expect(found).toMatchObject({ users: [{ email: 'page-b@example.com', email_verified: false }], next_cursor: null });
    expect((await call('GET', '/admin/users?limit=500', bearer(reader))).status).toBe(400);

    const shown = await call('GET', `/admin/users/${found.users[0]!.id}`, bearer(reader));
    expect(shown.status).toBe(200);
    const detail = (await shown.json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ id: found.users[0]!.id, email: 'page-b@example.com', email_verified_at: null, second_factor: { enabled: false, recovery_codes_left: 0 }, passkeys: [] });
    expect(detail.sessions).toHaveLength(1);
    expect(JSON.stringify(detail)).not.toMatch(/hash|digest|secret/i);
    expect((await call('GET', '/admin/users/999999', bearer(reader))).status).toBe(404);
  });

  it('lets a read-only key read but refuses it every change with 403, changing nothing', async () => {
    const { id, cookie } = await register('read-only-target@example.com');
    for (const [method, path] of [['DELETE', `/admin/users/${id}/sessions`], ['POST', `/admin/users/${id}/reset_token`], ['DELETE', `/admin/users/${id}/second_factor`], ['DELETE', `/admin/users/${id}`]]) {
      const response = await call(method!, path!, bearer(reader));
      expect(response.status, path).toBe(403);
      expect(await response.json()).toEqual({ message: 'this API key is read-only', code: 'read_only_api_key' });
    }
    expect((await fetch(`${server.url}/profile`, { headers: { cookie: `session_id=${cookie}` } })).status).toBe(200);
  });

  it('makes changes with a full key, each call an audit event naming the key', async () => {
    const { id, cookie } = await register('changed@example.com');
    const revokedSessions = await call('DELETE', `/admin/users/${id}/sessions`, bearer(admin));
    expect(await revokedSessions.json()).toEqual({ revoked: 1 });
    expect((await fetch(`${server.url}/profile`, { headers: { cookie: `session_id=${cookie}` } })).status).toBe(403);

    const issued = await call('POST', `/admin/users/${id}/reset_token`, bearer(admin));
    const { reset_token } = (await issued.json()) as { reset_token: string };
    const reset = await fetch(`${server.url}/reset_password`, { method: 'PUT', ...form({ email: 'changed@example.com', reset_token, new_password: 'pass-after' }) });
    expect(reset.status).toBe(200);
    expect(await (await call('DELETE', `/admin/users/${id}/second_factor`, bearer(admin))).json()).toEqual({ removed: false });
    expect((await call('DELETE', `/admin/users/${id}`, bearer(admin))).status).toBe(204);
    expect((await call('DELETE', `/admin/users/${id}`, bearer(admin))).status).toBe(404);
    expect((await call('GET', `/admin/users/${id}`, bearer(admin))).status).toBe(404);

    const events = await server.audit.recent({ email: 'none@example.com', userId: id, limit: 50 });
    const actor = `api_key:${adminId}`;
    const byAdmin = events.filter((event) => event.actor === actor).map((event) => event.type);
    expect(byAdmin).toContain('admin_api_call');
    expect(byAdmin).toContain('session_revoked_by_admin');
    expect(byAdmin).toContain('reset_requested');
    expect(byAdmin.filter((type) => type === 'admin_api_call')).toHaveLength(4);
    expect(events.find((event) => event.type === 'register')!.actor).toBeUndefined();
  });

  it('is in the OpenAPI document with its security scheme', () => {
    const document = openApiDocument as unknown as { components: { securitySchemes?: Record<string, unknown> }; paths: Record<string, Record<string, { security?: unknown }>> };
    expect(document.components.securitySchemes).toMatchObject({ adminKey: { type: 'http', scheme: 'bearer' } });
    const adminPaths = Object.keys(document.paths).filter((path) => path.startsWith('/admin/'));
    expect(adminPaths.sort()).toEqual(['/admin/users', '/admin/users/{id}', '/admin/users/{id}/reset_token', '/admin/users/{id}/second_factor', '/admin/users/{id}/sessions']);
    for (const path of adminPaths) for (const operation of Object.values(document.paths[path]!)) expect(operation.security).toEqual([{ adminKey: [] }]);
    expect(document.paths['/users']!.post!.security).toBeUndefined();
  });

  it('serves the admin API alone on its own listener, and not on the public one, when told (ADMIN_PORT)', async () => {
    const publicApp = await listenLocally(createApp({ auth: server.auth, cookie: { secure: false, maxAgeSeconds: 60 }, routes: 'public' }));
    const adminApp = await listenLocally(createApp({ auth: server.auth, cookie: { secure: false, maxAgeSeconds: 60 }, routes: 'admin' }));
    try {
      expect((await fetch(`${publicApp.url}/admin/users`, { headers: { authorization: bearer(admin) } })).status).toBe(404);
      expect((await fetch(`${publicApp.url}/`)).status).toBe(200);
      expect((await fetch(`${adminApp.url}/admin/users`, { headers: { authorization: bearer(admin) } })).status).toBe(200);
      expect((await fetch(`${adminApp.url}/users`, { method: 'POST', ...form({ email: 'x@example.com', password: 'pass-x' }) })).status).toBe(404);
    } finally {
      await publicApp.close();
      await adminApp.close();
    }
  });
});
