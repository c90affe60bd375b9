import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { form, sessionCookie, startTestServer } from './harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const AGENT = 'latchkey-audit-test/1.0';

function call(method: string, path: string, fields?: Record<string, string>, cookie?: string): Promise<Response> {
  const init = fields ? form(fields) : {};
  const headers = { ...(init.headers as Record<string, string>), 'user-agent': AGENT, ...(cookie ? { cookie: `session_id=${cookie}` } : {}) };
  return fetch(server.url + path, { method, redirect: 'manual', ...init, headers });
}

describe('the audit trail over HTTP', () => {
  it('records each step of the contract scenario with the client address and user agent', async () => {
    const email = 'audit@example.com';
    expect((await call('POST', '/users', { email, password: 'b4l0u' })).status).toBe(200);
    expect((await call('POST', '/sessions', { email, password: 'wrong' })).status).toBe(401);
    const sid = sessionCookie(await call('POST', '/sessions', { email, password: 'b4l0u' }))!;
    expect((await call('DELETE', '/sessions', undefined, sid)).status).toBe(302);
    const { reset_token } = (await (await call('POST', '/reset_password', { email })).json()) as { reset_token: string };
    expect((await call('PUT', '/reset_password', { email, reset_token, new_password: 't4rt1fl3tt3' })).status).toBe(200);

    const user = (await server.knex('users').where({ email }).first<{ id: number }>())!;
    const trail = (await server.audit.recent({ email, userId: user.id, limit: 10 })).reverse();
    expect(trail.map((event) => event.type)).toEqual(['register', 'login_failed', 'login_succeeded', 'logout', 'reset_requested', 'password_changed']);
    for (const event of trail) expect(event).toMatchObject({ userId: user.id, ip: '127.0.0.1', userAgent: AGENT });
    const rows = JSON.stringify(await server.knex('auth_events').select());
    for (const secret of ['b4l0u', 'wrong', 't4rt1fl3tt3', sid, reset_token]) expect(rows).not.toContain(secret);
  });
});
