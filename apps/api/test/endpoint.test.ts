import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuth, ValidationError } from '@latchkey/domain';
import { BcryptPasswordHasher, memoryStores } from '@latchkey/adapters';
import { requiredText } from '../src/api-schemas';
import { createApp } from '../src/app';
import { validBody } from '../src/endpoint';
import type { LocalServer } from './harness';
import { form, json, listenLocally, sessionCookie } from './harness';

describe('validBody', () => {
  const Login = z.object({ email: requiredText, password: requiredText });
  const refusal = (body: unknown) => {
    try {
      validBody(Login, body);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('names the first field refused, in the order declared', () => {
    expect(refusal(undefined)).toBe('email is required');
    expect(refusal({})).toBe('email is required');
    expect(refusal([])).toBe('email is required');
    expect(refusal('email=a')).toBe('email is required');
    expect(refusal({ password: 'p' })).toBe('email is required');
    expect(refusal({ email: 'a' })).toBe('password is required');
    expect(refusal({ email: '', password: '' })).toBe('email is required');
    expect(refusal({ email: ['a', 'b'], password: 'p' })).toBe('email is required');
    expect(refusal({ email: 'a', password: 5 })).toBe('password is required');
  });

  it('keeps the declared fields and drops the others', () => {
    expect(validBody(Login, { email: 'a', password: 'p', admin: 'yes' })).toEqual({ email: 'a', password: 'p' });
  });
});

/** An app whose session lookups by cookie secret are counted. */
describe('the session step', () => {
  const stores = memoryStores();
  let lookups = 0;
  const find = stores.sessions.findBySecretDigest.bind(stores.sessions);
  stores.sessions.findBySecretDigest = (digest) => {
    lookups++;
    return find(digest);
  };
  let server: LocalServer;
  beforeAll(async () => {
    const auth = createAuth({ ...stores, hasher: new BcryptPasswordHasher(4), account: { accounts: stores.accounts, emailTokens: stores.emailTokens } });
    server = await listenLocally(createApp({ auth, cookie: { secure: false, maxAgeSeconds: 60 } }));
  });
  afterAll(async () => {
    await server.close();
  });

  const call = (method: string, path: string, cookie?: string, init: RequestInit = {}) =>
    fetch(server.url + path, { method, redirect: 'manual', ...init, headers: { ...(init.headers as object), ...(cookie ? { cookie: `session_id=${cookie}` } : {}) } });

  async function counted(method: string, path: string, cookie?: string, init?: RequestInit): Promise<[number, number, unknown]> {
    lookups = 0;
    const response = await call(method, path, cookie, init);
    const text = await response.text();
    return [response.status, lookups, text.startsWith('{') ? JSON.parse(text) : text];
  }

  async function logIn(email: string): Promise<string> {
    const response = await call('POST', '/sessions', undefined, form({ email, password: 'b4l0u' }));
    return sessionCookie(response)!;
  }

  it('looks a session up once on a route that needs one, never on the others', async () => {
    expect((await call('POST', '/users', undefined, form({ email: 'step@example.com', password: 'b4l0u' }))).status).toBe(200);
    const sid = await logIn('step@example.com');
    expect(await counted('GET', '/profile', sid)).toEqual([200, 1, { email: 'step@example.com' }]);
    expect((await counted('GET', '/profile'))[0]).toBe(403);
    expect((await counted('GET', '/profile', 'forged')).slice(0, 2)).toEqual([403, 1]);
    expect((await counted('GET', '/healthz', sid)).slice(0, 2)).toEqual([200, 0]);
    expect((await counted('GET', '/', sid)).slice(0, 2)).toEqual([200, 0]);
    expect((await counted('POST', '/users', sid, form({ email: 'other@example.com', password: 'b4l0u' }))).slice(0, 2)).toEqual([200, 0]);
  });

  it('logs out in one lookup, ending only the session of the cookie', async () => {
    expect((await call('POST', '/users', undefined, form({ email: 'two@example.com', password: 'b4l0u' }))).status).toBe(200);
    const [first, second] = [await logIn('two@example.com'), await logIn('two@example.com')];
    expect((await counted('DELETE', '/sessions', first)).slice(0, 2)).toEqual([302, 1]);
    expect((await call('GET', '/profile', first)).status).toBe(403);
    expect((await call('GET', '/profile', second)).status).toBe(200);
    expect((await counted('DELETE', '/sessions', first)).slice(0, 2)).toEqual([403, 1]);
  });

  it('checks the body and the session in the order each route always has', async () => {
    // Session first: the account's own changes.
    expect(await counted('DELETE', '/profile')).toEqual([403, 0, { message: 'forbidden', code: 'not_authenticated' }]);
    expect(await counted('PUT', '/profile/password', undefined, json({}))).toEqual([403, 0, { message: 'forbidden', code: 'not_authenticated' }]);
    expect(await counted('PUT', '/profile/email', 'forged', json({}))).toEqual([403, 1, { message: 'forbidden', code: 'not_authenticated' }]);
    // Body first: the second-factor code checks answer a missing field without a lookup.
    expect(await counted('POST', '/profile/recovery_codes', 'forged')).toEqual([400, 0, { message: 'code is required', code: 'invalid_input' }]);
    expect(await counted('PUT', '/profile/totp', 'forged', json({ code: '' }))).toEqual([400, 0, { message: 'code is required', code: 'invalid_input' }]);
    expect(await counted('DELETE', '/profile/totp', 'forged', json({ code: '123456' }))).toEqual([400, 0, { message: 'password is required', code: 'invalid_input' }]);
    expect(await counted('PUT', '/profile/totp', 'forged', json({ code: '123456' }))).toEqual([403, 1, { message: 'forbidden', code: 'not_authenticated' }]);
  });

  it('lets POST /verify_email/resend go by the cookie when one is sent, else by the email', async () => {
    expect(await counted('POST', '/verify_email/resend', undefined, json({}))).toEqual([400, 0, { message: 'email is required', code: 'invalid_input' }]);
    expect(await counted('POST', '/verify_email/resend', 'forged', json({}))).toEqual([403, 1, { message: 'forbidden', code: 'not_authenticated' }]);
    // Signed in, the body is not read: the answer is the one of EMAIL_VERIFICATION=off.
    expect((await call('POST', '/users', undefined, form({ email: 'resend@example.com', password: 'b4l0u' }))).status).toBe(200);
    const sid = await logIn('resend@example.com');
    const signedIn = await counted('POST', '/verify_email/resend', sid, json({ email: 5 }));
    const byEmail = await counted('POST', '/verify_email/resend', undefined, json({ email: 'resend@example.com' }));
    expect(signedIn.slice(0, 2)).toEqual([400, 1]);
    expect(signedIn[2]).toEqual(byEmail[2]);
    expect(signedIn[2]).not.toEqual({ message: 'email is required' });
  });
});

describe('the route files', () => {
  const folder = fileURLToPath(new URL('../src/routes/', import.meta.url));
  const sources = readdirSync(folder).map((name) => [name, readFileSync(folder + name, 'utf8')] as const);

  it('read neither the raw body nor the session cookie: what a route reads, it declares', () => {
    for (const [name, source] of sources) {
      expect([name, /request\.body|ctx\.cookies|readCookie\(ctx, SESSION_COOKIE|authenticateSession/.exec(source)?.[0]]).toEqual([name, undefined]);
    }
  });
});
