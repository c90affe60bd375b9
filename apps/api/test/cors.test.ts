import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@latchkey/runtime';
import type { TestServer } from './harness';
import { startTestServer } from './harness';

const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const formHeaders = (origin: string, cookie?: string): Record<string, string> => ({
  'content-type': 'application/x-www-form-urlencoded',
  origin,
  ...(cookie ? { cookie } : {}),
});

async function loggedIn(url: string): Promise<string> {
  const body = 'email=spa%40example.com&password=b4l0u';
  await fetch(`${url}/users`, { method: 'POST', headers: formHeaders(APP), body });
  const login = await fetch(`${url}/sessions`, { method: 'POST', headers: formHeaders(APP), body });
  expect(login.status).toBe(200);
  return login.headers.getSetCookie()[0]!.split(';')[0]!;
}

describe('CORS_ORIGINS', () => {
  it('answers a preflight from a listed origin with credentials allowed', async () => {
    server = await startTestServer({}, { http: { corsOrigins: [APP] } });
    const preflight = await fetch(`${server.url}/sessions`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
    expect(preflight.headers.get('vary')).toMatch(/origin/i);
  });

  it('lets a listed origin log in, read the profile and log out with the cookie, its answers readable', async () => {
    server = await startTestServer({}, { http: { corsOrigins: [APP] } });
    const cookie = await loggedIn(server.url);
    const profile = await fetch(`${server.url}/profile`, { headers: { origin: APP, cookie } });
    expect(profile.status).toBe(200);
    expect(profile.headers.get('access-control-allow-origin')).toBe(APP);
    expect(profile.headers.get('access-control-allow-credentials')).toBe('true');
    // The Origin check of cookie-authenticated changes accepts the CORS origins.
    const logout = await fetch(`${server.url}/sessions`, { method: 'DELETE', headers: { origin: APP, cookie }, redirect: 'manual' });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('gives another origin no CORS header, and refuses its cookie-authenticated changes', async () => {
    server = await startTestServer({}, { http: { corsOrigins: [APP] } });
    const preflight = await fetch(`${server.url}/sessions`, { method: 'OPTIONS', headers: { origin: OTHER, 'access-control-request-method': 'DELETE' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const cookie = await loggedIn(server.url);
    const profile = await fetch(`${server.url}/profile`, { headers: { origin: OTHER, cookie } });
    expect(profile.headers.get('access-control-allow-origin')).toBeNull();
    const logout = await fetch(`${server.url}/sessions`, { method: 'DELETE', headers: { origin: OTHER, cookie }, redirect: 'manual' });
    expect(logout.status).toBe(403);
    expect(logout.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS header at all when unset', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/`, { headers: { origin: APP } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a value that is not an origin', () => {
    for (const bad of ['*', 'https://app.example.com/path', 'app.example.com']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(/^Invalid CORS_ORIGINS=.*is not an origin/);
    }
    expect(loadConfig({ CORS_ORIGINS: `${APP}, http://localhost:3000` }).CORS_ORIGINS).toEqual([APP, 'http://localhost:3000']);
  });
});

describe('COOKIE_DOMAIN and COOKIE_SAMESITE', () => {
  async function loginCookie(url: string): Promise<string> {
    const body = 'email=cookie%40example.com&password=b4l0u';
    await fetch(`${url}/users`, { method: 'POST', headers: formHeaders(url), body });
    return (await fetch(`${url}/sessions`, { method: 'POST', headers: formHeaders(url), body })).headers.getSetCookie()[0]!;
  }

  it('set Domain and SameSite on the session cookie and on the cookie that clears it', async () => {
    server = await startTestServer({}, { cookie: { secure: true, domain: 'example.com', sameSite: 'none' } });
    const cookie = await loginCookie(server.url);
    expect(cookie).toMatch(/; SameSite=None; Domain=example\.com; Secure$/);
    const logout = await fetch(`${server.url}/sessions`, { method: 'DELETE', headers: { cookie: cookie.split(';')[0]! }, redirect: 'manual' });
    expect(logout.headers.getSetCookie()[0]).toMatch(/^session_id=; .*Domain=example\.com/);
  });

  it('default to the answering host and SameSite=Lax; none requires COOKIE_SECURE=true', async () => {
    server = await startTestServer();
    const cookie = await loginCookie(server.url);
    expect(cookie).toMatch(/; SameSite=Lax$/);
    expect(cookie).not.toMatch(/Domain=/);
    expect(loadConfig({ COOKIE_SAMESITE: 'strict' }).COOKIE_SAMESITE).toBe('strict');
    expect(() => loadConfig({ COOKIE_SAMESITE: 'none' })).toThrow(/^Invalid COOKIE_SAMESITE="none": none requires COOKIE_SECURE=true/);
    expect(loadConfig({ COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'true' }).COOKIE_SAMESITE).toBe('none');
  });
});
