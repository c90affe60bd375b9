import { expect } from 'vitest';
import type { TestServer } from './harness';
import { sessionCookie } from './harness';
import type { CeremonyOverrides, SoftwareAuthenticator } from '../../../packages/adapters/test/support/software-authenticator';

export const RP_ID = 'localhost';
export const ORIGIN = 'http://localhost:5000';

/** The settings of a relying party the software authenticator answers for. */
export const PASSKEY_SETTINGS = { WEBAUTHN_RP_ID: RP_ID, WEBAUTHN_ORIGINS: [ORIGIN] };

type Json = Record<string, unknown>;

/** JSON calls of the passkey routes, cookies given by name. */
export function passkeysClient(server: () => TestServer) {
  async function call(method: string, path: string, cookies: Record<string, string | undefined> = {}, body?: unknown): Promise<Response> {
    const cookie = Object.entries(cookies)
      .filter(([, value]) => value)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    const headers: Record<string, string> = { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    return fetch(server().url + path, { method, redirect: 'manual', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  /** Registers a passkey of the authenticator for the session's user; the passkey as answered. */
  async function addPasskey(session: string, authenticator: SoftwareAuthenticator, name?: string, overrides: Partial<CeremonyOverrides> = {}): Promise<Json> {
    const options = await call('POST', '/profile/passkeys/options', { session_id: session }, {});
    expect(options.status).toBe(200);
    const response = authenticator.register((await options.json()) as Json, { origin: ORIGIN, ...overrides });
    const added = await call('POST', '/profile/passkeys', { session_id: session }, { response, ...(name === undefined ? {} : { name }) });
    expect(added.status).toBe(201);
    return (await added.json()) as Json;
  }

  /** Sign-in options (for an email, or discoverable) and the ceremony cookie. */
  async function signInOptions(email?: string): Promise<{ options: Json; ceremony: string }> {
    const response = await call('POST', '/sessions/passkey/options', {}, email === undefined ? {} : { email });
    expect(response.status).toBe(200);
    const ceremony = cookieOf(response, 'passkey_ceremony');
    expect(ceremony).toBeDefined();
    return { options: (await response.json()) as Json, ceremony: ceremony! };
  }

  function signIn(ceremony: string | undefined, response: Json): Promise<Response> {
    return call('POST', '/sessions/passkey', { passkey_ceremony: ceremony }, { response });
  }

  /** A whole sign-in; the session cookie. */
  async function signInWith(authenticator: SoftwareAuthenticator, email?: string): Promise<string> {
    const { options, ceremony } = await signInOptions(email);
    const answered = await signIn(ceremony, authenticator.assert(options, { origin: ORIGIN }));
    expect(answered.status).toBe(200);
    return sessionCookie(answered)!;
  }

  return { call, addPasskey, signInOptions, signIn, signInWith };
}

export function cookieOf(response: Response, name: string): string | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return header?.split(';')[0]?.slice(name.length + 1) || undefined;
}
