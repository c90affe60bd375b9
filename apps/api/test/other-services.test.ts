import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { JoseTokenSigner, KnexSessionRepository, MemorySigningKeyRepository, UnavailableSecretBox } from '@latchkey/adapters';
import type { TestServer } from './harness';
import { startTestServer } from './harness';
import { SteppedClock, secondFactorClient } from './second-factor-client';
import { referenceTotp } from '../../../packages/adapters/test/support/totp-reference';

let server: TestServer;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
});

const client = secondFactorClient(() => server);
const { call, register, login } = client;

async function token(session: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/sessions/token`, { method: 'POST', headers: { cookie: `session_id=${session}`, ...headers } });
}

async function issued(session: string): Promise<string> {
  const response = await token(session);
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** A separate service's verifier: the served key set, fetched and cached as jose does. */
function verifier(options: Parameters<typeof createRemoteJWKSet>[1] = {}) {
  return createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`), options);
}

describe('GET /sessions/whoami (forward auth)', () => {
  it('answers the live session in the body and in headers, with one lookup of the session and nothing else', async () => {
    server = await startTestServer();
    await register('ada@example.com');
    const session = await login('ada@example.com');
    const calls = callsOf(KnexSessionRepository.prototype);
    const response = await call('GET', '/sessions/whoami', { session_id: session });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ user_id: expect.any(Number), email: 'ada@example.com', session_id: expect.any(String), second_factor: false, expires_at: expect.any(String) });
    expect(response.headers.get('x-latchkey-user-id')).toBe(String(body.user_id));
    expect(response.headers.get('x-latchkey-email')).toBe('ada@example.com');
    expect(response.headers.get('x-latchkey-session-id')).toBe(body.session_id);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(calls()).toEqual(['findBySecretDigest']);
  });

  it('answers 401, never a redirect, without a live session: no cookie, an unknown one, a logged-out one, a pending login', async () => {
    server = await startTestServer();
    await register('ada@example.com');
    const session = await login('ada@example.com');
    expect((await call('DELETE', '/sessions', { session_id: session })).status).toBe(302);
    const refused = [
      await call('GET', '/sessions/whoami'),
      await call('GET', '/sessions/whoami', { session_id: 'not-a-session' }),
      await call('GET', '/sessions/whoami', { session_id: session }),
      await call('GET', '/sessions/whoami', { second_factor_pending: 'a-pending-login' }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(401);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.json()).toEqual({ message: 'no live session', code: 'no_live_session' });
    }
  });

  it('tells the proxy, on a 401, where the client was going, encoded for a query', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/sessions/whoami`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com', 'x-forwarded-uri': '/orders?page=2&sort=date' },
    });
    expect(response.status).toBe(401);
    const returnTo = response.headers.get('x-latchkey-return-to')!;
    expect(returnTo).toBe('https%3A%2F%2Fapp.example.com%2Forders%3Fpage%3D2%26sort%3Ddate');
    expect(new URLSearchParams(`return_to=${returnTo}`).get('return_to')).toBe('https://app.example.com/orders?page=2&sort=date');
    expect((await fetch(`${server.url}/sessions/whoami`)).headers.get('x-latchkey-return-to')).toBeNull();
  });

  it('percent-encodes an email that a header cannot carry as it is', async () => {
    server = await startTestServer();
    await register('zoë 100%@exämple.com');
    const response = await call('GET', '/sessions/whoami', { session_id: await login('zoë 100%@exämple.com') });
    const header = response.headers.get('x-latchkey-email')!;
    expect(header).toBe('zo%C3%AB%20100%25@ex%C3%A4mple.com');
    expect(decodeURIComponent(header)).toBe('zoë 100%@exämple.com');
  });
});

describe('POST /sessions/token and GET /.well-known/jwks.json, checked as a separate service would', () => {
  it('issues a JWT of the session that verifies against the served key set; expired, tampered and other-audience tokens do not', async () => {
    server = await startTestServer();
    await register('ada@example.com');
    const session = await login('ada@example.com');
    const response = await token(session);
    expect(response.status).toBe(200);
    const { token: jwt, expires_at } = (await response.json()) as { token: string; expires_at: string };
    const jwks = verifier();
    const { payload, protectedHeader } = await jwtVerify(jwt, jwks, { issuer: server.url, audience: server.url });
    const whoami = (await (await call('GET', '/sessions/whoami', { session_id: session })).json()) as { user_id: number; session_id: string };
    expect(payload).toEqual({ iss: server.url, aud: server.url, sub: String(whoami.user_id), email: 'ada@example.com', sid: whoami.session_id, amr: ['pwd'], iat: expect.any(Number), exp: payload.iat! + 300 });
    expect(new Date(expires_at).getTime()).toBe(payload.exp! * 1000);
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'JWT', kid: expect.any(String) });

    await expect(jwtVerify(jwt, jwks, { currentDate: new Date((payload.exp! + 1) * 1000) })).rejects.toBeInstanceOf(errors.JWTExpired);
    const [header, body, signature] = jwt.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url');
    await expect(jwtVerify(`${header}.${forged}.${signature}`, jwks)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    expect(body).not.toBe(forged);
    await expect(jwtVerify(jwt, jwks, { audience: 'https://other.example.com' })).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
  });

  it('serves the key set with a max-age shorter than the overlap, and nothing private', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
  });

  it('names PUBLIC_URL as the issuer and audience when JWT_ISSUER is unset, whatever host the request reached', async () => {
    server = await startTestServer({}, { settings: { PUBLIC_URL: 'https://auth.example.com/' } });
    await register('ada@example.com');
    const { payload } = await jwtVerify(await issued(await login('ada@example.com')), verifier(), { issuer: 'https://auth.example.com', audience: 'https://auth.example.com' });
    expect(payload.iss).toBe('https://auth.example.com');
  });

  it('says amr ["pwd","otp"] after a second factor, and issues nothing to a pending login', async () => {
    const clock = new SteppedClock(Date.now());
    server = await startTestServer({ clock });
    await register('mfa@example.com');
    const { secret } = await client.enrol(await login('mfa@example.com'), clock.now());
    const pending = await client.pendingLogin('mfa@example.com');
    const refused = await fetch(`${server.url}/sessions/token`, { method: 'POST', headers: { cookie: `second_factor_pending=${pending}` } });
    expect(refused.status).toBe(401);
    const completed = await client.completeLogin(pending, referenceTotp(secret, clock.nextStep()));
    const session = completed.headers.getSetCookie().find((c) => c.startsWith('session_id='))!.split(';')[0]!.slice('session_id='.length);
    const { payload } = await jwtVerify(await issued(session), verifier(), { currentDate: new Date(clock.now()) });
    expect(payload.amr).toEqual(['pwd', 'otp']);
  });

  it('issues nothing for an ended or expired session, nor to a page of another origin; an allowed origin gets one', async () => {
    const clock = new SteppedClock(Date.now());
    server = await startTestServer({ clock }, { http: { allowedOrigins: ['https://app.example.com'] } });
    await register('ada@example.com');
    const ended = await login('ada@example.com');
    await call('DELETE', '/sessions', { session_id: ended });
    expect((await token(ended)).status).toBe(401);
    expect((await token('')).status).toBe(401);
    const live = await login('ada@example.com');
    expect((await token(live, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await token(live, { origin: 'https://app.example.com' })).status).toBe(200);
    clock.time += 24 * 3600_000;
    expect((await token(live)).status).toBe(401);
  });

  it('rotates without signing anyone out: old tokens verify, new ones carry the new kid, a verifier that cached the old set picks it up', async () => {
    const clock = new SteppedClock(Date.now());
    server = await startTestServer({ clock });
    await register('ada@example.com');
    const session = await login('ada@example.com');
    const before = await issued(session);
    // Cached by a service that started before the rotation; it refetches for a kid it does not
    // know. jose waits 30 s between fetches by default, far less than any overlap (120 s at
    // least): none here only because this test does not wait.
    const cached = verifier({ cooldownDuration: 0 });
    await jwtVerify(before, cached, { currentDate: new Date(clock.now()) });

    const rotation = await server.auth.tokens.rotate();
    const [oldKey, newKey] = rotation.keys;
    expect([oldKey!.state, newKey!.state]).toEqual(['signing', 'next']);
    const published = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(published.keys.map((key) => key.kid)).toEqual([oldKey!.kid, newKey!.kid]);
    // Until the overlap has passed, tokens are still signed with the old key.
    expect(decodeProtectedHeader(await issued(session)).kid).toBe(oldKey!.kid);

    clock.time += 600_000;
    const after = await issued(session);
    expect(decodeProtectedHeader(after).kid).toBe(newKey!.kid);
    await jwtVerify(after, cached, { currentDate: new Date(clock.now()) });
    await jwtVerify(before, cached, { currentDate: new Date(clock.now() - 600_000) });

    // Once every token of the old key has expired, the key retires: a token it signed no longer verifies.
    clock.time += 300_000 + 60_000;
    const retired = (await server.auth.tokens.list()).keys.find((key) => key.kid === oldKey!.kid);
    expect(retired?.state).toBe('retired');
    await expect(jwtVerify(before, verifier(), { currentDate: new Date(clock.now() - 960_000) })).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it('answers 503 naming the setting when no key can be sealed, and when tokens are not configured', async () => {
    const box = new UnavailableSecretBox('Signed tokens are unavailable: set ENCRYPTION_KEYS');
    const settings = { algorithm: 'EdDSA', ttlMs: 300_000, overlapMs: 600_000 } as const;
    server = await startTestServer({ tokens: { signer: new JoseTokenSigner(), keys: new MemorySigningKeyRepository(), box, settings } });
    await register('ada@example.com');
    const session = await login('ada@example.com');
    for (const response of [await token(session), await fetch(`${server.url}/.well-known/jwks.json`)]) {
      expect(response.status).toBe(503);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ message: 'Signed tokens are unavailable: set ENCRYPTION_KEYS', code: 'secret_box_unavailable' });
    }
    await server.close();
    server = await startTestServer({ tokens: undefined });
    await register('ada@example.com');
    const refused = await token(await login('ada@example.com'));
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'signing_key_unavailable' });
  });
});

/** The methods of `prototype` called from now on, each as many times as it was, in the order of the calls. */
function callsOf(prototype: object): () => string[] {
  const spies = Object.getOwnPropertyNames(prototype)
    .filter((name) => name !== 'constructor' && typeof (prototype as Record<string, unknown>)[name] === 'function')
    .map((name) => ({ name, spy: vi.spyOn(prototype as Record<string, () => unknown>, name) }));
  return () =>
    spies
      .flatMap(({ name, spy }) => spy.mock.invocationCallOrder.map((order) => ({ name, order })))
      .sort((a, b) => a.order - b.order)
      .map(({ name }) => name);
}
