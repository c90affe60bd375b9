import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { form, sessionCookie, startTestServer } from './harness';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

function call(method: string, path: string, cookie?: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...(init.headers as Record<string, string>), ...(cookie ? { cookie: `session_id=${cookie}` } : {}) };
  return fetch(server.url + path, { method, redirect: 'manual', ...init, headers });
}

async function register(email: string, password = 'b4l0u'): Promise<void> {
  expect((await call('POST', '/users', undefined, form({ email, password }))).status).toBe(200);
}

/** A login from a device of its own: its own cookie jar and user agent. */
async function login(email: string, device: string, password = 'b4l0u'): Promise<string> {
  const response = await call('POST', '/sessions', undefined, { ...form({ email, password }), headers: { ...form({}).headers, 'user-agent': device } });
  expect(response.status).toBe(200);
  return sessionCookie(response)!;
}

interface ListedSession {
  id: string;
  user_agent: string | null;
  current: boolean;
}

async function list(cookie: string): Promise<ListedSession[]> {
  const response = await call('GET', '/sessions', cookie);
  expect(response.status).toBe(200);
  return ((await response.json()) as { sessions: ListedSession[] }).sessions;
}

describe('sessions of their own, one per device', () => {
  it('two jars both open /profile; GET /sessions lists both, most recent first, with the right current', async () => {
    server = await startTestServer();
    await register('bob@example.com');
    const laptop = await login('bob@example.com', 'laptop');
    const phone = await login('bob@example.com', 'phone');
    for (const jar of [laptop, phone]) expect((await call('GET', '/profile', jar)).status).toBe(200);
    const seenFromPhone = await list(phone);
    expect(seenFromPhone.map((s) => [s.user_agent, s.current])).toEqual([
      ['phone', true],
      ['laptop', false],
    ]);
    expect((await list(laptop)).map((s) => [s.user_agent, s.current])).toEqual([
      ['phone', false],
      ['laptop', true],
    ]);
    expect(JSON.stringify(seenFromPhone)).not.toContain(laptop);
    expect((await call('GET', '/sessions')).status).toBe(403);
  });

  it('ending one from the other gives the ended one 403 at once; the ender keeps working', async () => {
    server = await startTestServer();
    await register('bob@example.com');
    const laptop = await login('bob@example.com', 'laptop');
    const phone = await login('bob@example.com', 'phone');
    const laptopId = (await list(phone)).find((s) => !s.current)!.id;
    const ended = await call('DELETE', `/sessions/${laptopId}`, phone);
    expect(ended.status).toBe(204);
    expect((await call('GET', '/profile', laptop)).status).toBe(403);
    expect((await call('GET', '/profile', phone)).status).toBe(200);
    expect((await call('DELETE', `/sessions/${laptopId}`, phone)).status).toBe(404);
  });

  it("answers another user's session id exactly as an unknown one: 404, same body", async () => {
    server = await startTestServer();
    await register('bob@example.com');
    await register('eve@example.com');
    const bob = await login('bob@example.com', 'laptop');
    const eve = await login('eve@example.com', 'laptop');
    const bobsId = (await list(bob))[0]!.id;
    const other = await call('DELETE', `/sessions/${bobsId}`, eve);
    const unknown = await call('DELETE', '/sessions/0190b1d2-0000-7000-8000-000000000000', eve);
    const malformed = await call('DELETE', `/sessions/${'%00x'.repeat(300)}`, eve);
    expect([other.status, unknown.status, malformed.status]).toEqual([404, 404, 404]);
    const body = await other.json();
    expect(await unknown.json()).toEqual(body);
    expect(await malformed.json()).toEqual(body);
    expect((await call('GET', '/profile', bob)).status).toBe(200);
    expect((await call('DELETE', `/sessions/${bobsId}`)).status).toBe(403);
  });

  it('DELETE /sessions/others ends every session but the caller’s and says how many', async () => {
    server = await startTestServer();
    await register('bob@example.com');
    const jars = [await login('bob@example.com', 'a'), await login('bob@example.com', 'b'), await login('bob@example.com', 'c')];
    const response = await call('DELETE', '/sessions/others', jars[2]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ revoked: 2 });
    expect((await call('GET', '/profile', jars[0])).status).toBe(403);
    expect((await call('GET', '/profile', jars[1])).status).toBe(403);
    expect((await call('GET', '/profile', jars[2])).status).toBe(200);
  });

  it('DELETE /sessions ends only the cookie’s session and redirects to /', async () => {
    server = await startTestServer();
    await register('bob@example.com');
    const laptop = await login('bob@example.com', 'laptop');
    const phone = await login('bob@example.com', 'phone');
    const response = await call('DELETE', '/sessions', laptop);
    expect([response.status, response.headers.get('location')]).toEqual([302, '/']);
    expect((await call('GET', '/profile', laptop)).status).toBe(403);
    expect((await call('GET', '/profile', phone)).status).toBe(200);
  });

  it('a password reset gives every jar 403', async () => {
    server = await startTestServer();
    await register('bob@example.com');
    const jars = [await login('bob@example.com', 'a'), await login('bob@example.com', 'b')];
    const { reset_token } = (await (await call('POST', '/reset_password', undefined, form({ email: 'bob@example.com' }))).json()) as { reset_token: string };
    const reset = await call('PUT', '/reset_password', undefined, form({ email: 'bob@example.com', reset_token, new_password: 't4rt1fl3tt3' }));
    expect(reset.status).toBe(200);
    for (const jar of jars) expect((await call('GET', '/profile', jar)).status).toBe(403);
  });

  it('with SESSIONS_PER_USER_MAX=2 the third login ends the least recently used', async () => {
    server = await startTestServer({ settings: { sessionsPerUserMax: 2 } });
    await register('bob@example.com');
    const first = await login('bob@example.com', 'first');
    const second = await login('bob@example.com', 'second');
    const third = await login('bob@example.com', 'third');
    expect((await call('GET', '/profile', first)).status).toBe(403);
    expect((await call('GET', '/profile', second)).status).toBe(200);
    expect((await call('GET', '/profile', third)).status).toBe(200);
    const trail = await server.audit.recent({ email: 'bob@example.com', userId: 1, limit: 20 });
    expect(trail.map((event) => event.type)).toContain('session_ended_by_limit');
  });

  it('refuses to end sessions from a page of another origin', async () => {
    server = await startTestServer();
    await register('bob@example.com');
    const laptop = await login('bob@example.com', 'laptop');
    const phone = await login('bob@example.com', 'phone');
    const id = (await list(phone)).find((s) => !s.current)!.id;
    const evil = { headers: { origin: 'https://evil.example' } };
    expect((await call('DELETE', `/sessions/${id}`, phone, evil)).status).toBe(403);
    expect((await call('DELETE', '/sessions/others', phone, evil)).status).toBe(403);
    expect((await call('GET', '/profile', laptop)).status).toBe(200);
  });
});
