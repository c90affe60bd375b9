import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { sessionCookie, startTestServer } from './harness';
import { ORIGIN, PASSKEY_SETTINGS, passkeysClient } from './passkeys-client';
import { SteppedClock, pendingCookie, secondFactorClient } from './second-factor-client';
import { SoftwareAuthenticator, tampered } from '../../../packages/adapters/test/support/software-authenticator';
import { referenceTotp } from '../../../packages/adapters/test/support/totp-reference';

let server: TestServer;
let clock: SteppedClock;
afterEach(async () => {
  await server?.close();
});

const { register, login, enrol, pendingLogin } = secondFactorClient(() => server);
const { call, addPasskey, signInOptions, signIn, signInWith } = passkeysClient(() => server);

async function start(settings: Record<string, unknown> = {}): Promise<void> {
  clock = new SteppedClock(Date.now());
  server = await startTestServer({ clock }, { settings: { ...PASSKEY_SETTINGS, ...settings } });
}

async function strengthOf(session: string): Promise<string> {
  const found = await server.auth.sessions.authenticate(session);
  return found!.session.strength;
}

async function auditTypes(email: string, userId: number): Promise<string[]> {
  return (await server.audit.recent({ email, userId, limit: 50 })).map((event) => event.type);
}

describe('passkeys: registering and signing in with a software authenticator', () => {
  it('registers ES256 and EdDSA passkeys, lists, renames and removes them, and signs in with each, discoverable or for an email', async () => {
    await start();
    await register('ada@example.com');
    const session = await login('ada@example.com');
    const p256 = new SoftwareAuthenticator({ algorithm: 'ES256' });
    const ed25519 = new SoftwareAuthenticator({ algorithm: 'EdDSA', synced: true, counterStep: 0 });

    const options = await call('POST', '/profile/passkeys/options', { session_id: session }, {});
    const creation = (await options.json()) as Record<string, unknown>;
    expect(creation).toMatchObject({ rp: { id: 'localhost', name: 'Latchkey' }, user: { name: 'ada@example.com' }, attestation: 'none', excludeCredentials: [] });
    expect(creation.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });
    expect(Buffer.from(String(creation.challenge), 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(String((creation.user as { id: string }).id)).not.toContain('ada');

    const first = await addPasskey(session, p256, '  Laptop\u0007  ');
    expect(first).toEqual({ id: expect.any(String), name: 'Laptop', createdAt: expect.any(String), lastUsedAt: null, transports: ['internal', 'hybrid'], deviceType: 'singleDevice', backedUp: false });
    const second = await addPasskey(session, ed25519);
    expect(second).toMatchObject({ name: 'Passkey 2', deviceType: 'multiDevice', backedUp: true });

    const again = await call('POST', '/profile/passkeys/options', { session_id: session }, {});
    expect(((await again.json()) as { excludeCredentials: unknown[] }).excludeCredentials).toHaveLength(2);

    const discoverable = await signInWith(p256);
    expect(await strengthOf(discoverable)).toBe('passkey');
    const forEmail = await signInOptions('ada@example.com');
    expect((forEmail.options.allowCredentials as unknown[]).length).toBe(2);
    expect(forEmail.options).toMatchObject({ rpId: 'localhost', userVerification: 'preferred' });
    const byEd25519 = await signIn(forEmail.ceremony, ed25519.assert(forEmail.options, { origin: ORIGIN }));
    expect(byEd25519.status).toBe(200);
    expect(await byEd25519.json()).toEqual({ email: 'ada@example.com', message: 'logged in' });
    expect(cookieCleared(byEd25519, 'passkey_ceremony')).toBe(true);
    // An authenticator that always reports 0 signs in again and again.
    await signInWith(ed25519);
    expect((await call('GET', '/profile', { session_id: sessionCookie(byEd25519) })).status).toBe(200);

    const listed = await call('GET', '/profile/passkeys', { session_id: session });
    const { passkeys } = (await listed.json()) as { passkeys: Array<{ id: string; name: string; lastUsedAt: string | null }> };
    expect(passkeys.map((p) => p.name)).toEqual(['Laptop', 'Passkey 2']);
    expect(passkeys.every((p) => p.lastUsedAt !== null)).toBe(true);
    const renamed = await call('PATCH', `/profile/passkeys/${first.id}`, { session_id: session }, { name: 'x'.repeat(100) });
    expect(((await renamed.json()) as { name: string }).name).toBe('x'.repeat(64));
    expect((await call('DELETE', `/profile/passkeys/${first.id}`, { session_id: session })).status).toBe(204);
    expect((await call('DELETE', `/profile/passkeys/${first.id}`, { session_id: session })).status).toBe(404);
    const { options: afterRemoval, ceremony } = await signInOptions();
    expect((await signIn(ceremony, p256.assert(afterRemoval, { origin: ORIGIN }))).status).toBe(401);
    const events = await auditTypes('ada@example.com', 1);
    expect(events.filter((type) => type === 'passkey_added')).toHaveLength(2);
    expect(events).toContain('passkey_removed');
  });

  it('answers an unknown email stand-in credentials, the same at each call, shaped as real ones', async () => {
    await start();
    const one = await signInOptions('nobody@example.com');
    const two = await signInOptions('Nobody@Example.com');
    const ids = (options: Record<string, unknown>) => (options.allowCredentials as Array<{ id: string; type: string; transports: string[] }>);
    expect(ids(one.options).length).toBeGreaterThanOrEqual(1);
    expect(ids(one.options)).toEqual(ids(two.options));
    expect(Buffer.from(ids(one.options)[0]!.id, 'base64url')).toHaveLength(32);
    expect(ids(one.options)[0]).toMatchObject({ type: 'public-key', transports: ['hybrid', 'internal'] });
    expect(one.options.challenge).not.toBe(two.options.challenge);
    const discoverable = await signInOptions();
    expect(discoverable.options.allowCredentials ?? []).toEqual([]);
  });

  it('refuses a replayed assertion, a wrong origin, a wrong RP ID, an expired or reused challenge, a counter gone backwards and a tampered signature', async () => {
    await start();
    await register('ada@example.com');
    const session = await login('ada@example.com');
    const key = new SoftwareAuthenticator();
    await addPasskey(session, key);

    // Replayed: the same assertion again, with its ceremony (used up) or with a new one.
    const first = await signInOptions();
    const assertion = key.assert(first.options, { origin: ORIGIN });
    expect((await signIn(first.ceremony, assertion)).status).toBe(200);
    expect(await codeOf(await signIn(first.ceremony, assertion))).toBe('no_passkey_ceremony');
    const fresh = await signInOptions();
    expect(await codeOf(await signIn(fresh.ceremony, assertion))).toBe('invalid_passkey');

    const wrongOrigin = await signInOptions();
    expect(await codeOf(await signIn(wrongOrigin.ceremony, key.assert(wrongOrigin.options, { origin: 'https://evil.example' })))).toBe('invalid_passkey');
    const wrongRp = await signInOptions();
    expect(await codeOf(await signIn(wrongRp.ceremony, key.assert(wrongRp.options, { origin: ORIGIN, rpId: 'evil.example' })))).toBe('invalid_passkey');
    const signatureFlipped = await signInOptions();
    expect(await codeOf(await signIn(signatureFlipped.ceremony, tampered(key.assert(signatureFlipped.options, { origin: ORIGIN }))))).toBe('invalid_passkey');

    // A challenge used once, even by a refused answer, is gone.
    const reused = await signInOptions();
    expect((await signIn(reused.ceremony, tampered(key.assert(reused.options, { origin: ORIGIN })))).status).toBe(401);
    expect(await codeOf(await signIn(reused.ceremony, key.assert(reused.options, { origin: ORIGIN })))).toBe('no_passkey_ceremony');

    const expired = await signInOptions();
    clock.time += 301_000;
    expect(await codeOf(await signIn(expired.ceremony, key.assert(expired.options, { origin: ORIGIN })))).toBe('no_passkey_ceremony');

    await signInWith(key);
    const stored = key.credentials[0]!.counter;
    const backwards = await signInOptions();
    expect(await codeOf(await signIn(backwards.ceremony, key.assert(backwards.options, { origin: ORIGIN, counter: stored - 1 })))).toBe('invalid_passkey');
    const repeated = await signInOptions();
    expect(await codeOf(await signIn(repeated.ceremony, key.assert(repeated.options, { origin: ORIGIN, counter: stored })))).toBe('invalid_passkey');
    const events = await auditTypes('ada@example.com', 1);
    expect(events).toContain('passkey_counter_regressed');
    expect(events.filter((type) => type === 'passkey_failed').length).toBeGreaterThanOrEqual(6);
    // The key goes on from its real counter.
    key.credentials[0]!.counter = stored;
    await signInWith(key);
  });

  it('refuses another account’s credential for a ceremony bound to an email, and in another user’s second-factor step', async () => {
    await start();
    await register('ada@example.com');
    await register('bob@example.com');
    const adaKey = new SoftwareAuthenticator();
    const bobKey = new SoftwareAuthenticator();
    const ada = await login('ada@example.com');
    await addPasskey(ada, adaKey);
    await addPasskey(await login('bob@example.com'), bobKey);

    const forAda = await signInOptions('ada@example.com');
    const bobs = bobKey.assert(forAda.options, { origin: ORIGIN, credential: bobKey.credentials[0]! });
    expect(await codeOf(await signIn(forAda.ceremony, bobs))).toBe('invalid_passkey');
    const forNobody = await signInOptions('nobody@example.com');
    expect(await codeOf(await signIn(forNobody.ceremony, adaKey.assert(forNobody.options, { origin: ORIGIN, credential: adaKey.credentials[0]! })))).toBe('invalid_passkey');

    await enrol(ada, clock.now());
    const pending = await pendingLogin('ada@example.com');
    const options = await call('POST', '/sessions/second_factor/passkey/options', { second_factor_pending: pending });
    expect(options.status).toBe(200);
    const requestOptions = (await options.json()) as Record<string, unknown>;
    expect(requestOptions.allowCredentials).toHaveLength(1);
    const refused = await call('POST', '/sessions/second_factor/passkey', { second_factor_pending: pending }, { response: bobKey.assert(requestOptions, { origin: ORIGIN, credential: bobKey.credentials[0]! }) });
    expect(refused.status).toBe(401);
    expect(sessionCookie(refused)).toBeUndefined();
  });

  it('is the second factor: passkey with user verification opens a full session; without it, the TOTP step follows; after the password, a passkey completes the login', async () => {
    await start();
    await register('ada@example.com');
    const session = await login('ada@example.com');
    const key = new SoftwareAuthenticator();
    await addPasskey(session, key);
    const { secret } = await enrol(session, clock.now());

    const verified = await signInWith(key, 'ada@example.com');
    expect(await strengthOf(verified)).toBe('passkey');

    const { options, ceremony } = await signInOptions();
    const presenceOnly = await signIn(ceremony, key.assert(options, { origin: ORIGIN, userVerification: false }));
    expect(presenceOnly.status).toBe(401);
    expect(await presenceOnly.json()).toEqual({ message: 'second factor required', second_factor_required: true });
    const pendingAfterPasskey = pendingCookie(presenceOnly)!;
    const completed = await call('POST', '/sessions/second_factor', { second_factor_pending: pendingAfterPasskey }, { code: referenceTotp(secret, clock.nextStep()) });
    expect(completed.status).toBe(200);

    const pending = await pendingLogin('ada@example.com');
    const stepOptions = (await (await call('POST', '/sessions/second_factor/passkey/options', { second_factor_pending: pending })).json()) as Record<string, unknown>;
    const byPasskey = await call('POST', '/sessions/second_factor/passkey', { second_factor_pending: pending }, { response: key.assert(stepOptions, { origin: ORIGIN }) });
    expect(byPasskey.status).toBe(200);
    expect(await byPasskey.json()).toEqual({ email: 'ada@example.com', message: 'logged in' });
    expect(await strengthOf(sessionCookie(byPasskey)!)).toBe('password_passkey');
    expect(await (await call('GET', '/profile', { session_id: sessionCookie(byPasskey) })).json()).toEqual({ email: 'ada@example.com', second_factor: true });
    expect((await call('POST', '/sessions/second_factor/passkey', { second_factor_pending: pending }, { response: key.assert(stepOptions, { origin: ORIGIN }) })).status).toBe(403);

    // Signed tokens tell how: amr hwk for the passkey, pwd and hwk for the password then the passkey.
    const amrOf = async (session: string) => {
      const issued = await call('POST', '/sessions/token', { session_id: session });
      expect(issued.status).toBe(200);
      return decodeJwt(((await issued.json()) as { token: string }).token).amr;
    };
    expect(await amrOf(verified)).toEqual(['hwk']);
    expect(await amrOf(sessionCookie(byPasskey)!)).toEqual(['pwd', 'hwk']);
  });

  it('refuses assertions without user verification when WEBAUTHN_USER_VERIFICATION=required', async () => {
    await start({ WEBAUTHN_USER_VERIFICATION: 'required' });
    await register('ada@example.com');
    const key = new SoftwareAuthenticator();
    await addPasskey(await login('ada@example.com'), key);
    const { options, ceremony } = await signInOptions();
    expect(options.userVerification).toBe('required');
    expect(await codeOf(await signIn(ceremony, key.assert(options, { origin: ORIGIN, userVerification: false })))).toBe('invalid_passkey');
    await signInWith(key);
  });

  it('asks a session older than PASSKEY_STEP_UP_SECONDS for the password before registering or removing a passkey', async () => {
    await start();
    await register('ada@example.com');
    const session = await login('ada@example.com');
    const key = new SoftwareAuthenticator();
    const added = await addPasskey(session, key);
    clock.time += 601_000;
    expect(await codeOf(await call('POST', '/profile/passkeys/options', { session_id: session }, {}))).toBe('step_up_required');
    expect(await codeOf(await call('DELETE', `/profile/passkeys/${added.id}`, { session_id: session }))).toBe('step_up_required');
    expect(await codeOf(await call('POST', '/profile/passkeys/options', { session_id: session }, { password: 'wrong' }))).toBe('wrong_password');
    expect((await call('POST', '/profile/passkeys/options', { session_id: session }, { password: 'b4l0u' })).status).toBe(200);
    expect((await call('DELETE', `/profile/passkeys/${added.id}`, { session_id: session }, { password: 'b4l0u' })).status).toBe(204);
    expect(await codeOf(await call('POST', '/profile/passkeys', { session_id: await login('ada@example.com') }, { response: key.register({ rp: { id: 'localhost' }, user: { id: 'AA' }, challenge: 'AA' }, { origin: ORIGIN }) }))).toBe('no_passkey_ceremony');
  });

  it('keeps PASSKEYS_PER_USER_MAX and refuses a credential registered already', async () => {
    await start({ PASSKEYS_PER_USER_MAX: 2 });
    await register('ada@example.com');
    const session = await login('ada@example.com');
    await addPasskey(session, new SoftwareAuthenticator());
    await addPasskey(session, new SoftwareAuthenticator());
    const options = (await (await call('POST', '/profile/passkeys/options', { session_id: session }, {})).json()) as Record<string, unknown>;
    const third = await call('POST', '/profile/passkeys', { session_id: session }, { response: new SoftwareAuthenticator().register(options, { origin: ORIGIN }) });
    expect(await codeOf(third)).toBe('passkey_limit');
  });

  it('counts failed assertions in the login throttle, per account and per address', async () => {
    await start({ LOGIN_FAILURES_PER_ACCOUNT: 3 });
    await register('ada@example.com');
    const key = new SoftwareAuthenticator();
    await addPasskey(await login('ada@example.com'), key);
    for (let i = 0; i < 3; i++) {
      const { options, ceremony } = await signInOptions();
      expect((await signIn(ceremony, tampered(key.assert(options, { origin: ORIGIN })))).status).toBe(401);
    }
    const { options, ceremony } = await signInOptions();
    const locked = await signIn(ceremony, key.assert(options, { origin: ORIGIN }));
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await call('POST', '/sessions', {}, { email: 'ada@example.com', password: 'b4l0u' })).status).toBe(429);
  });

  it('bounds the sign-in ceremonies a client address starts (PASSKEY_CEREMONIES_PER_IP)', async () => {
    await start({ PASSKEY_CEREMONIES_PER_IP: 3 });
    for (let i = 0; i < 3; i++) await signInOptions(i === 0 ? undefined : `u${i}@example.com`);
    const refused = await call('POST', '/sessions/passkey/options', {}, {});
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await server.knex('passkey_challenges').count({ n: '*' }).first()).toEqual({ n: 3 });
  });

  it('never locks out: a passkey-only account keeps its last passkey and resets its password by the usual flow', async () => {
    await start();
    await register('ada@example.com');
    const session = await login('ada@example.com');
    const added = await addPasskey(session, new SoftwareAuthenticator());
    await server.knex('users').where('email', 'ada@example.com').update({ hashed_password: '!' });
    expect(await codeOf(await call('DELETE', `/profile/passkeys/${added.id}`, { session_id: session }))).toBe('last_sign_in_method');
    const issued = await call('POST', '/reset_password', {}, { email: 'ada@example.com' });
    const { reset_token } = (await issued.json()) as { reset_token: string };
    expect((await call('PUT', '/reset_password', {}, { email: 'ada@example.com', reset_token, new_password: 'n3w-pass' })).status).toBe(200);
    const again = await login('ada@example.com', 'n3w-pass');
    expect((await call('DELETE', `/profile/passkeys/${added.id}`, { session_id: again }))).toHaveProperty('status', 204);
  });

  it('gives one session for 8 concurrent uses of one assertion, 30 rounds', async () => {
    await start();
    await register('ada@example.com');
    const key = new SoftwareAuthenticator();
    await addPasskey(await login('ada@example.com'), key);
    for (let round = 0; round < 30; round++) {
      const { options, ceremony } = await signInOptions();
      const assertion = key.assert(options, { origin: ORIGIN });
      const answers = await Promise.all(Array.from({ length: 8 }, () => signIn(ceremony, assertion)));
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
      expect(answers.filter((answer) => sessionCookie(answer) !== undefined)).toHaveLength(1);
    }
    // 31 sessions were opened: SESSIONS_PER_USER_MAX keeps the 20 most recent.
    expect(await server.auth.sessions.list(1)).toHaveLength(20);
  });

  it('answers 501 passkeys_unconfigured without PUBLIC_URL and WEBAUTHN_RP_ID', async () => {
    clock = new SteppedClock(Date.now());
    server = await startTestServer({ clock });
    await register('ada@example.com');
    const session = await login('ada@example.com');
    expect(await codeOf(await call('POST', '/profile/passkeys/options', { session_id: session }, {}))).toBe('passkeys_unconfigured');
    expect(await codeOf(await call('POST', '/sessions/passkey/options', {}, {}))).toBe('passkeys_unconfigured');
    expect(((await (await call('GET', '/profile/passkeys', { session_id: session })).json()) as { passkeys: unknown[] }).passkeys).toEqual([]);
  });
});

async function codeOf(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { code?: string }).code;
}

function cookieCleared(response: Response, name: string): boolean {
  return response.headers.getSetCookie().some((c) => c.startsWith(`${name}=;`) && c.includes('Max-Age=0'));
}
