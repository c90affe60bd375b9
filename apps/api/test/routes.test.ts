import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { form, json, sessionCookie, startTestServer } from './harness';

let server: TestServer;
let n = 0;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function call(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(server.url + path, { method, redirect: 'manual', ...init });
}

async function read(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

function withCookie(sessionId: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string>), cookie: `session_id=${sessionId}` } };
}

async function registered(password = 'b4l0u'): Promise<string> {
  const email = `user${++n}@example.com`;
  expect((await call('POST', '/users', form({ email, password }))).status).toBe(200);
  return email;
}

async function loggedIn(): Promise<{ email: string; sid: string }> {
  const email = await registered();
  const response = await call('POST', '/sessions', form({ email, password: 'b4l0u' }));
  return { email, sid: sessionCookie(response)! };
}

describe('GET /', () => {
  it('answers Bienvenue', async () => {
    const response = await call('GET', '/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.text()).toBe('{"message":"Bienvenue"}');
  });
});

describe('POST /users', () => {
  it('creates a user from a form body', async () => {
    const response = await call('POST', '/users', form({ email: 'new@example.com', password: 'b4l0u' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email: 'new@example.com', message: 'user created' });
  });

  it('creates a user from a JSON body', async () => {
    const response = await call('POST', '/users', json({ email: 'json@example.com', password: 'b4l0u' }));
    expect(await response.json()).toEqual({ email: 'json@example.com', message: 'user created' });
  });

  it('answers 400 "email already registered" for an existing email, in any case', async () => {
    const email = await registered();
    for (const again of [email, email.toUpperCase(), ` ${email} `]) {
      const response = await call('POST', '/users', form({ email: again, password: 'other' }));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message: 'email already registered', code: 'user_already_exists' });
    }
  });

  it('echoes the email trimmed, as registered', async () => {
    const response = await call('POST', '/users', form({ email: '  Trim.Me@Example.com ', password: 'b4l0u' }));
    expect(await response.json()).toEqual({ email: 'Trim.Me@Example.com', message: 'user created' });
  });

  it('answers 400 for missing or non-string fields', async () => {
    for (const body of [form({ email: 'x@example.com' }), form({ password: 'pw' }), json({ email: 1, password: 'pw' }), json({ email: 'x@example.com', password: ['pw'] })]) {
      const response = await call('POST', '/users', body);
      expect(response.status).toBe(400);
      expect((await read(response)).message).toMatch(/required/);
    }
  });

  it('answers 400 JSON for malformed JSON and for a JSON body that is not an object', async () => {
    for (const body of ['{"email": ', 'null', '"text"']) {
      const response = await call('POST', '/users', { headers: { 'content-type': 'application/json' }, body });
      expect(response.status, body).toBe(400);
      expect(await response.json()).toHaveProperty('message');
    }
  });

  it('answers 400 with a clear message for a password over 72 bytes', async () => {
    const response = await call('POST', '/users', form({ email: 'long@example.com', password: 'x'.repeat(73) }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'Password must be at most 72 bytes long', code: 'invalid_input' });
  });
});

describe('POST /sessions', () => {
  it('logs in: 200, body and an HttpOnly SameSite=Lax session cookie', async () => {
    const email = await registered();
    const response = await call('POST', '/sessions', form({ email, password: 'b4l0u' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email, message: 'logged in' });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('session_id='))!;
    expect(cookie).toMatch(/^session_id=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/);
  });

  it('accepts JSON', async () => {
    const email = await registered();
    const response = await call('POST', '/sessions', json({ email, password: 'b4l0u' }));
    expect(response.status).toBe(200);
  });

  it('answers 401 for a wrong password and for an unknown email, with the same body', async () => {
    const email = await registered();
    const wrong = await call('POST', '/sessions', form({ email, password: 'nope' }));
    const unknown = await call('POST', '/sessions', form({ email: 'ghost@example.com', password: 'nope' }));
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.text()).toBe(await unknown.text());
    expect(sessionCookie(wrong)).toBeUndefined();
  });

  it('answers 400 for missing fields', async () => {
    expect((await call('POST', '/sessions', form({ email: 'a@example.com' }))).status).toBe(400);
  });
});

describe('GET /profile', () => {
  it('answers the email for a valid session cookie', async () => {
    const { email, sid } = await loggedIn();
    const response = await call('GET', '/profile', withCookie(sid));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email });
  });

  it('answers 403 without a cookie or with an unknown one', async () => {
    expect((await call('GET', '/profile')).status).toBe(403);
    const response = await call('GET', '/profile', withCookie('forged'));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'forbidden', code: 'not_authenticated' });
  });
});

describe('DELETE /sessions', () => {
  it('destroys the session and redirects to /', async () => {
    const { sid } = await loggedIn();
    const response = await call('DELETE', '/sessions', withCookie(sid));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
    expect(response.headers.getSetCookie().join()).toMatch(/session_id=; Path=\/; Max-Age=0/);
    expect((await call('GET', '/profile', withCookie(sid))).status).toBe(403);
  });

  it('redirects to / which answers Bienvenue', async () => {
    const { sid } = await loggedIn();
    const location = (await call('DELETE', '/sessions', withCookie(sid))).headers.get('location')!;
    const response = await call('GET', location);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Bienvenue' });
  });

  it('answers 403 without a valid session', async () => {
    expect((await call('DELETE', '/sessions')).status).toBe(403);
    expect((await call('DELETE', '/sessions', withCookie('forged'))).status).toBe(403);
  });
});

describe('POST /reset_password', () => {
  it('answers a reset token for a registered email', async () => {
    const email = await registered();
    const response = await call('POST', '/reset_password', form({ email }));
    expect(response.status).toBe(200);
    const body = await read(response);
    expect(Object.keys(body)).toEqual(['email', 'reset_token']);
    expect(body.email).toBe(email);
    expect(body.reset_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers 403 for an unknown email and 400 without one', async () => {
    expect((await call('POST', '/reset_password', form({ email: 'ghost@example.com' }))).status).toBe(403);
    expect((await call('POST', '/reset_password', form({}))).status).toBe(400);
  });
});

describe('PUT /reset_password', () => {
  async function token(email: string): Promise<string> {
    return String((await read(await call('POST', '/reset_password', form({ email })))).reset_token);
  }

  it('updates the password with a valid token', async () => {
    const email = await registered();
    const resetToken = await token(email);
    const response = await call('PUT', '/reset_password', form({ email, reset_token: resetToken, new_password: 't4rt1fl3tt3' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email, message: 'Password updated' });
    expect((await call('POST', '/sessions', form({ email, password: 't4rt1fl3tt3' }))).status).toBe(200);
    expect((await call('POST', '/sessions', form({ email, password: 'b4l0u' }))).status).toBe(401);
  });

  it('answers 403 for an unknown, reused or foreign token', async () => {
    const email = await registered();
    const other = await registered();
    const resetToken = await token(email);
    expect((await call('PUT', '/reset_password', form({ email, reset_token: 'nope', new_password: 'x' }))).status).toBe(403);
    expect((await call('PUT', '/reset_password', form({ email: other, reset_token: resetToken, new_password: 'x' }))).status).toBe(403);
    expect((await call('PUT', '/reset_password', form({ email, reset_token: resetToken, new_password: 'x' }))).status).toBe(200);
    expect((await call('PUT', '/reset_password', form({ email, reset_token: resetToken, new_password: 'y' }))).status).toBe(403);
  });

  it('answers 400 when a field is missing', async () => {
    expect((await call('PUT', '/reset_password', form({ email: 'a@example.com', reset_token: 't' }))).status).toBe(400);
  });
});

describe('unknown routes and methods', () => {
  it('answers 404 JSON for an unknown route', async () => {
    const response = await call('GET', '/nowhere');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'not found' });
  });

  it('answers 405 JSON with Allow for a wrong method on a known route', async () => {
    const response = await call('PATCH', '/profile');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('GET');
    expect(await response.json()).toHaveProperty('message');
  });
});
