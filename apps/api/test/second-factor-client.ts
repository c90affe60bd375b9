import { expect } from 'vitest';
import type { TestServer } from './harness';
import { form, sessionCookie } from './harness';
import { referenceTotp } from '../../../packages/adapters/test/support/totp-reference';

/** A client of one test server, holding cookies by name. */
export function secondFactorClient(server: () => TestServer) {
  async function call(method: string, path: string, cookies: Record<string, string | undefined> = {}, fields?: Record<string, string>): Promise<Response> {
    const cookie = Object.entries(cookies)
      .filter(([, value]) => value)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    const init: RequestInit = fields ? form(fields) : {};
    const headers = { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) };
    return fetch(server().url + path, { method, redirect: 'manual', ...init, headers });
  }

  async function register(email: string, password = 'b4l0u'): Promise<void> {
    expect((await call('POST', '/users', {}, { email, password })).status).toBe(200);
  }

  async function login(email: string, password = 'b4l0u'): Promise<string> {
    const response = await call('POST', '/sessions', {}, { email, password });
    expect(response.status).toBe(200);
    return sessionCookie(response)!;
  }

  /** The password step of a user with a second factor: the pending login's cookie. */
  async function pendingLogin(email: string, password = 'b4l0u'): Promise<string> {
    const response = await call('POST', '/sessions', {}, { email, password });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'second factor required', second_factor_required: true });
    expect(sessionCookie(response)).toBeUndefined();
    return pendingCookie(response)!;
  }

  /** Enrols the session's user; the secret and recovery codes, codes computed at `at`. */
  async function enrol(session: string, at: number): Promise<{ secret: string; recoveryCodes: string[] }> {
    const started = await call('POST', '/profile/totp', { session_id: session });
    expect(started.status).toBe(200);
    const { secret } = (await started.json()) as { secret: string };
    const enabled = await call('PUT', '/profile/totp', { session_id: session }, { code: referenceTotp(secret, at) });
    expect(enabled.status).toBe(200);
    return { secret, recoveryCodes: ((await enabled.json()) as { recovery_codes: string[] }).recovery_codes };
  }

  function completeLogin(pending: string, code: string): Promise<Response> {
    return call('POST', '/sessions/second_factor', { second_factor_pending: pending }, { code });
  }

  return { call, register, login, pendingLogin, enrol, completeLogin };
}

export function pendingCookie(response: Response): string | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith('second_factor_pending='));
  return header?.split(';')[0]?.slice('second_factor_pending='.length) || undefined;
}

/** A clock the test moves: TOTP steps pass without waiting. */
export class SteppedClock {
  constructor(public time = Date.UTC(2026, 10, 25, 12, 0, 0)) {}
  now(): number {
    return this.time;
  }
  /** To the next 30-second step. */
  nextStep(): number {
    this.time += 30_000;
    return this.time;
  }
}
