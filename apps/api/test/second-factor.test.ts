import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { sessionCookie, startTestServer } from './harness';
import { SteppedClock, secondFactorClient } from './second-factor-client';
import { base32Decode, referenceTotp } from '../../../packages/adapters/test/support/totp-reference';

let server: TestServer;
let clock: SteppedClock;
afterEach(async () => {
  await server?.close();
});

const { call, register, login, pendingLogin, enrol, completeLogin } = secondFactorClient(() => server);

async function start(): Promise<void> {
  clock = new SteppedClock();
  server = await startTestServer({ clock });
}

async function enrolledUser(email: string) {
  await register(email);
  const session = await login(email);
  return { session, ...(await enrol(session, clock.now())) };
}

describe('the reference TOTP of these tests', () => {
  it('gives RFC 6238’s SHA-1 vectors (last 6 digits)', () => {
    const secret = '12345678901234567890';
    const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(base32Decode(base32).toString()).toBe(secret);
    expect(createHmac('sha1', secret).digest().length).toBe(20);
    expect(referenceTotp(base32, 59_000)).toBe('287082');
    expect(referenceTotp(base32, 1_111_111_109_000)).toBe('081804');
    expect(referenceTotp(base32, 20_000_000_000_000)).toBe('353130');
  });
});

describe('second factor', () => {
  it('enrols with codes computed here, answers 10 recovery codes and a QR code, and ends every other session', async () => {
    await start();
    await register('ada@example.com');
    const laptop = await login('ada@example.com');
    const phone = await login('ada@example.com');
    const started = await call('POST', '/profile/totp', { session_id: laptop });
    expect(started.status).toBe(200);
    const body = (await started.json()) as { secret: string; otpauth_uri: string; qr_svg: string };
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(body.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Latchkey:ada%40example\.com\?issuer=Latchkey&secret=[A-Z2-7]{32}&algorithm=SHA1&digits=6&period=30$/);
    expect(body.qr_svg).toMatch(/^<svg .*<\/svg>\s*$/s);
    expect((await call('PUT', '/profile/totp', { session_id: laptop }, { code: '000000' })).status).toBe(401);
    const enabled = await call('PUT', '/profile/totp', { session_id: laptop }, { code: referenceTotp(body.secret, clock.now()) });
    expect(enabled.status).toBe(200);
    const { recovery_codes: codes } = (await enabled.json()) as { recovery_codes: string[] };
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await call('GET', '/profile', { session_id: phone })).status).toBe(403);
    expect((await call('GET', '/profile', { session_id: laptop })).status).toBe(200);
    expect((await call('POST', '/profile/totp', { session_id: laptop })).status).toBe(409);
    const events = (await server.audit.recent({ email: 'ada@example.com', userId: 1, limit: 20 })).map((e) => e.type);
    expect(events).toContain('second_factor_enrolled');
  });

  it('needs the code at login: the pending login opens nothing, is not listed, and its code opens a new session', async () => {
    await start();
    const { session, secret } = await enrolledUser('ada@example.com');
    const pending = await pendingLogin('ada@example.com');
    expect((await call('GET', '/profile', { second_factor_pending: pending })).status).toBe(403);
    expect((await call('GET', '/profile', { session_id: pending })).status).toBe(403);
    expect((await call('GET', '/sessions', { session_id: pending })).status).toBe(403);
    const listed = (await (await call('GET', '/sessions', { session_id: session })).json()) as { sessions: unknown[] };
    expect(listed.sessions).toHaveLength(1);
    const done = await completeLogin(pending, referenceTotp(secret, clock.nextStep()));
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ email: 'ada@example.com', message: 'logged in' });
    const opened = sessionCookie(done)!;
    expect(opened).not.toBe(pending);
    expect(done.headers.getSetCookie().some((c) => c.startsWith('second_factor_pending=;'))).toBe(true);
    expect(await (await call('GET', '/profile', { session_id: opened })).json()).toEqual({ email: 'ada@example.com', second_factor: true });
    const sessions = ((await (await call('GET', '/sessions', { session_id: opened })).json()) as { sessions: Array<{ current: boolean; second_factor: boolean }> }).sessions;
    expect(sessions.map((s) => [s.current, s.second_factor])).toEqual([
      [true, true],
      [false, false],
    ]);
    expect((await completeLogin(pending, referenceTotp(secret, clock.nextStep()))).status).toBe(403);
  });

  it('refuses a replayed code, and a code of an earlier step, within the window', async () => {
    await start();
    const { secret } = await enrolledUser('ada@example.com');
    const enrolmentCode = referenceTotp(secret, clock.now());
    expect((await completeLogin(await pendingLogin('ada@example.com'), enrolmentCode)).status).toBe(401);
    const code = referenceTotp(secret, clock.nextStep());
    expect((await completeLogin(await pendingLogin('ada@example.com'), code)).status).toBe(200);
    const pending = await pendingLogin('ada@example.com');
    const replay = await completeLogin(pending, code);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ message: 'invalid code', code: 'invalid_second_factor_code' });
    expect((await completeLogin(pending, referenceTotp(secret, clock.nextStep()))).status).toBe(200);
  });

  it('accepts a recovery code once, typed in any case and without dashes', async () => {
    await start();
    const { recoveryCodes } = await enrolledUser('ada@example.com');
    const typed = recoveryCodes[3]!.replaceAll('-', '').toUpperCase();
    expect((await completeLogin(await pendingLogin('ada@example.com'), typed)).status).toBe(200);
    expect((await completeLogin(await pendingLogin('ada@example.com'), recoveryCodes[3]!)).status).toBe(401);
    expect((await completeLogin(await pendingLogin('ada@example.com'), recoveryCodes[4]!)).status).toBe(200);
    const events = (await server.audit.recent({ email: 'ada@example.com', userId: 1, limit: 50 })).map((e) => e.type);
    expect(events.filter((type) => type === 'recovery_code_used')).toHaveLength(2);
  });

  it('5 wrong codes end the pending login; the password step and other accounts are unaffected', async () => {
    await start();
    const ada = await enrolledUser('ada@example.com');
    const bob = await enrolledUser('bob@example.com');
    const pending = await pendingLogin('ada@example.com');
    for (let i = 0; i < 5; i++) expect((await completeLogin(pending, '000000')).status).toBe(401);
    const code = referenceTotp(ada.secret, clock.nextStep());
    expect((await completeLogin(pending, code)).status).toBe(403);
    // The password still leads to a pending login (no 429 at the password step)…
    const again = await pendingLogin('ada@example.com');
    // …whose codes wait for the window to end.
    const refused = await completeLogin(again, code);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await completeLogin(again, code)).status).toBe(403);
    expect((await completeLogin(await pendingLogin('bob@example.com'), referenceTotp(bob.secret, clock.now()))).status).toBe(200);
    const events = (await server.audit.recent({ email: 'ada@example.com', userId: 1, limit: 50 })).map((e) => e.type);
    expect(events.filter((type) => type === 'second_factor_failed')).toHaveLength(5);
  });

  it('refuses every second-factor change sent by a page of another origin', async () => {
    await start();
    const { session } = await enrolledUser('ada@example.com');
    const pending = await pendingLogin('ada@example.com');
    const foreign = { origin: 'https://evil.example' };
    for (const [method, path] of [
      ['POST', '/sessions/second_factor'],
      ['POST', '/profile/totp'],
      ['PUT', '/profile/totp'],
      ['DELETE', '/profile/totp'],
      ['POST', '/profile/recovery_codes'],
    ] as const) {
      const response = await fetch(server.url + path, {
        method,
        headers: { ...foreign, 'content-type': 'application/x-www-form-urlencoded', cookie: `session_id=${session}; second_factor_pending=${pending}` },
        body: 'code=123456&password=b4l0u',
      });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await response.json()).toEqual({ message: 'cross-origin request refused' });
    }
  });

  it('ends a pending login after 5 minutes', async () => {
    await start();
    const { secret } = await enrolledUser('ada@example.com');
    const pending = await pendingLogin('ada@example.com');
    clock.time += 5 * 60_000;
    expect((await completeLogin(pending, referenceTotp(secret, clock.now()))).status).toBe(403);
  });

  it('leaves no TOTP secret and no recovery code in a dump of the database', async () => {
    await start();
    const { secret, recoveryCodes } = await enrolledUser('ada@example.com');
    await completeLogin(await pendingLogin('ada@example.com'), recoveryCodes[0]!);
    const tables = (await server.knex.raw("SELECT name FROM sqlite_master WHERE type = 'table'")) as Array<{ name: string }>;
    let dump = '';
    for (const { name } of tables) dump += JSON.stringify(await server.knex(name).select('*'));
    expect(dump).toContain('"sealed_secret":"v1.');
    expect(dump.length).toBeGreaterThan(1000);
    const secretBytes = base32Decode(secret);
    for (const needle of [secret, secret.toLowerCase(), secretBytes.toString('hex'), secretBytes.toString('base64'), secretBytes.toString('base64url')]) {
      expect(dump).not.toContain(needle);
    }
    for (const code of recoveryCodes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replaceAll('-', ''));
    }
  });

  it('removes the factor with the password and a code; then a login is the contract’s again', async () => {
    await start();
    const { session, secret } = await enrolledUser('ada@example.com');
    const other = await login('ada@example.com').catch(() => undefined);
    expect(other).toBeUndefined();
    const code = referenceTotp(secret, clock.nextStep());
    expect((await call('DELETE', '/profile/totp', { session_id: session }, { password: 'wrong', code })).status).toBe(401);
    const removed = await call('DELETE', '/profile/totp', { session_id: session }, { password: 'b4l0u', code });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ message: 'second factor removed' });
    const response = await call('POST', '/sessions', {}, { email: 'ada@example.com', password: 'b4l0u' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email: 'ada@example.com', message: 'logged in' });
    expect(await (await call('GET', '/profile', { session_id: sessionCookie(response) })).json()).toEqual({ email: 'ada@example.com' });
  });

  it('replaces the recovery codes for a current code; the old set stops working', async () => {
    await start();
    const { session, secret, recoveryCodes } = await enrolledUser('ada@example.com');
    const replaced = await call('POST', '/profile/recovery_codes', { session_id: session }, { code: referenceTotp(secret, clock.nextStep()) });
    expect(replaced.status).toBe(200);
    const fresh = ((await replaced.json()) as { recovery_codes: string[] }).recovery_codes;
    expect(fresh).toHaveLength(10);
    expect((await completeLogin(await pendingLogin('ada@example.com'), recoveryCodes[0]!)).status).toBe(401);
    expect((await completeLogin(await pendingLogin('ada@example.com'), fresh[0]!)).status).toBe(200);
  });

  it('users without a second factor get exactly the contract’s answers', async () => {
    await start();
    await register('guillaume@holberton.io');
    const response = await call('POST', '/sessions', {}, { email: 'guillaume@holberton.io', password: 'b4l0u' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"email":"guillaume@holberton.io","message":"logged in"}');
    expect(response.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['session_id']);
    expect(await (await call('GET', '/profile', { session_id: sessionCookie(response) })).text()).toBe('{"email":"guillaume@holberton.io"}');
    expect((await call('POST', '/sessions', {}, { email: 'guillaume@holberton.io', password: 'nope' })).status).toBe(401);
  });

  it('answers 503 naming ENCRYPTION_KEYS when no key is configured', async () => {
    // Production without ENCRYPTION_KEYS: no key is invented that a second machine would lack.
    server = await startTestServer({}, { settings: { NODE_ENV: 'production', ENCRYPTION_KEYS: [] } });
    await register('ada@example.com');
    const response = await call('POST', '/profile/totp', { session_id: await login('ada@example.com') });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await response.json()).toEqual({ message: 'Second factors are unavailable: ENCRYPTION_KEYS is not set', code: 'secret_box_unavailable' });
  });
});
