import { describe, expect, it } from 'vitest';
import { AesGcmSecretBox, JoseTokenSigner, MemoryPasswordResetTokenRepository, MemorySessionRepository, MemorySigningKeyRepository, MemoryUserRepository } from '@latchkey/adapters';
import type { AuthenticatedSession, SigningKeyRepository, TokenDeps, TokenSettings } from '../../src';
import { CLOCK_SKEW_MS, KEY_RELOAD_MS, KeyRotationRefusedError, SIGNING_KEYS_MAX, SigningKeyUnavailableError, createAuth } from '../../src';
import { FakeClock, FakeHasher } from '../fakes';

const signer = new JoseTokenSigner();

/** A compact JWS's part, read without checking it: what these rules put in, not whether it verifies. */
const part = (token: string, index: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const decodeJwt = (token: string) => part(token, 1);
const decodeProtectedHeader = (token: string) => part(token, 0) as { kid?: string };
const box = new AesGcmSecretBox([Buffer.alloc(32, 3)]);
const SETTINGS: TokenSettings = { algorithm: 'EdDSA', ttlMs: 300_000, overlapMs: 600_000 };

function tokensOn(keys: SigningKeyRepository, clock: FakeClock, settings: Partial<TokenSettings> = {}, deps: Partial<TokenDeps> = {}) {
  const users = new MemoryUserRepository();
  const auth = createAuth({
    users,
    sessions: new MemorySessionRepository(users),
    resetTokens: new MemoryPasswordResetTokenRepository(users),
    hasher: new FakeHasher(),
    clock,
    settings: { sessionTtlMs: 7 * 86_400_000, sessionIdleMs: 86_400_000 },
    tokens: { signer, keys, box, settings: { ...SETTINGS, ...settings }, ...deps },
  });
  return auth.tokens;
}

function session(clock: FakeClock, overrides: Partial<AuthenticatedSession['session']> = {}): AuthenticatedSession {
  const now = clock.now();
  return {
    user: { id: 42, email: 'ada@example.com', hashedPassword: 'h', resetToken: null } as AuthenticatedSession['user'],
    session: { id: '0192f0c0-0000-7000-8000-00000000002a', userId: 42, secretDigest: 'd', createdAt: now, lastSeenAt: now, ip: null, userAgent: null, strength: 'password', ...overrides },
  };
}

async function kidOfNewToken(tokens: ReturnType<typeof tokensOn>, clock: FakeClock): Promise<string> {
  return decodeProtectedHeader((await tokens.issue(session(clock), 'https://auth.example.com')).token).kid!;
}

describe('signed tokens for sessions', () => {
  it('carry the session’s user, id and login strength, issued by the public origin for itself unless set, for JWT_TTL_SECONDS', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 3, 12));
    const tokens = tokensOn(new MemorySigningKeyRepository(), clock);
    const issued = await tokens.issue(session(clock), 'https://auth.example.com');
    const iat = clock.now() / 1000;
    expect(decodeJwt(issued.token)).toEqual({
      iss: 'https://auth.example.com',
      aud: 'https://auth.example.com',
      sub: '42',
      email: 'ada@example.com',
      sid: '0192f0c0-0000-7000-8000-00000000002a',
      amr: ['pwd'],
      iat,
      exp: iat + 300,
    });
    expect(issued.expiresAt).toBe(clock.now() + 300_000);
    const set = tokensOn(new MemorySigningKeyRepository(), clock, { issuer: 'https://id.example.com', audience: 'orders' });
    const strong = decodeJwt((await set.issue(session(clock, { strength: 'second_factor' }), 'http://127.0.0.1:5000')).token);
    expect(strong).toMatchObject({ iss: 'https://id.example.com', aud: 'orders', amr: ['pwd', 'otp'] });
  });

  it('never outlive the end their session has now', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 3, 12));
    const tokens = tokensOn(new MemorySigningKeyRepository(), clock);
    // Idle for all but 100 s of SESSION_IDLE_SECONDS: the session ends before JWT_TTL_SECONDS.
    const ending = session(clock, { lastSeenAt: clock.now() - 86_400_000 + 100_000 });
    const issued = await tokens.issue(ending, 'https://auth.example.com');
    expect(decodeJwt(issued.token).exp).toBe(clock.now() / 1000 + 100);
  });

  it('make one first key when instances start together on new storage, signing at once', async () => {
    const clock = new FakeClock();
    const keys = new MemorySigningKeyRepository();
    const [a, b] = [tokensOn(keys, clock), tokensOn(keys, clock)];
    await Promise.all([a.prepare(), b.prepare()]);
    expect(await keys.list()).toHaveLength(1);
    expect(await a.keySet()).toEqual(await b.keySet());
    const [first] = (await a.list()).keys;
    expect(first).toMatchObject({ generation: 1, state: 'signing', publishedAt: clock.now(), signsFrom: clock.now(), signsUntil: null, retiresAt: null });
    expect(await kidOfNewToken(b, clock)).toBe(first!.kid);
  });

  it('rotate on the timeline: published at once, signing after the overlap, the old key published until its last token expires', async () => {
    const clock = new FakeClock();
    const tokens = tokensOn(new MemorySigningKeyRepository(), clock);
    await tokens.prepare();
    const rotatedAt = clock.now();
    const { keys } = await tokens.rotate();
    const [old, next] = keys;
    const cutover = rotatedAt + SETTINGS.overlapMs;
    expect(next).toMatchObject({ generation: 2, state: 'next', publishedAt: rotatedAt, signsFrom: cutover });
    expect(old).toMatchObject({ state: 'signing', signsUntil: cutover, retiresAt: cutover + SETTINGS.ttlMs + CLOCK_SKEW_MS });
    expect((await tokens.keySet()).keys.map((key) => key.kid)).toEqual([old!.kid, next!.kid]);
    expect(tokens.keySetMaxAgeSeconds).toBe(300);

    clock.advance(SETTINGS.overlapMs - 1);
    expect(await kidOfNewToken(tokens, clock)).toBe(old!.kid);
    clock.advance(1);
    expect(await kidOfNewToken(tokens, clock)).toBe(next!.kid);
    expect((await tokens.list()).keys.map((key) => key.state)).toEqual(['verifying', 'signing']);

    clock.advance(SETTINGS.ttlMs + CLOCK_SKEW_MS - 1);
    expect((await tokens.keySet()).keys).toHaveLength(2);
    clock.advance(1);
    expect((await tokens.list()).keys.map((key) => key.state)).toEqual(['retired', 'signing']);
    expect((await tokens.keySet()).keys.map((key) => key.kid)).toEqual([next!.kid]);
    // The next rotation deletes what retired.
    expect((await tokens.rotate()).keys.map((key) => [key.generation, key.state])).toEqual([
      [2, 'signing'],
      [3, 'next'],
    ]);
  });

  it('refuse a rotation while a key waits to sign, and past the most keys published at once', async () => {
    const clock = new FakeClock();
    // Tokens that live long keep old keys published through several rotations.
    const tokens = tokensOn(new MemorySigningKeyRepository(), clock, { ttlMs: 3_600_000, overlapMs: 120_000 });
    await tokens.rotate();
    await expect(tokens.rotate()).rejects.toThrow(/is already next: it signs from .*; rotate again after that/);
    for (let published = 2; published < SIGNING_KEYS_MAX; published++) {
      clock.advance(120_000);
      await tokens.rotate();
    }
    clock.advance(120_000);
    const refused = tokens.rotate();
    await expect(refused).rejects.toBeInstanceOf(KeyRotationRefusedError);
    await expect(refused).rejects.toThrow(`${SIGNING_KEYS_MAX} keys are published, the most allowed; the oldest retires at`);
    expect((await tokens.keySet()).keys).toHaveLength(SIGNING_KEYS_MAX);
  });

  it('rotate at once when a key is thought compromised: the new key signs now, every other is gone', async () => {
    const clock = new FakeClock();
    const tokens = tokensOn(new MemorySigningKeyRepository(), clock);
    await tokens.rotate();
    const { keys } = await tokens.rotate({ immediate: true });
    expect(keys.map((key) => [key.generation, key.state])).toEqual([[3, 'signing']]);
    expect(await kidOfNewToken(tokens, clock)).toBe(keys[0]!.kid);
    expect((await tokens.keySet()).keys.map((key) => key.kid)).toEqual([keys[0]!.kid]);
  });

  it('see another instance’s rotation within the reload interval, and serve the keys read before while storage fails', async () => {
    const clock = new FakeClock();
    const keys = new MemorySigningKeyRepository();
    const errors: unknown[] = [];
    let failing = false;
    const flaky: SigningKeyRepository = {
      list: () => (failing ? Promise.reject(new Error('database down')) : keys.list()),
      add: (key) => keys.add(key),
      remove: (kids) => keys.remove(kids),
    };
    const server = tokensOn(flaky, clock, {}, { onError: (error) => errors.push(error) });
    const cli = tokensOn(keys, clock);
    await server.prepare();
    await cli.rotate();
    expect((await server.keySet()).keys).toHaveLength(1);
    clock.advance(KEY_RELOAD_MS);
    expect((await server.keySet()).keys).toHaveLength(2);
    failing = true;
    clock.advance(KEY_RELOAD_MS);
    expect((await server.keySet()).keys).toHaveLength(2);
    expect(errors).toEqual([new Error('database down')]);
  });

  it('from JWT_SIGNING_KEYS: the first signs, all are published, rotation is refused', async () => {
    const clock = new FakeClock();
    const [first, second] = [await signer.generate('EdDSA'), await signer.generate('ES256')];
    const users = new MemoryUserRepository();
    const tokens = createAuth({
      users,
      sessions: new MemorySessionRepository(users),
      resetTokens: new MemoryPasswordResetTokenRepository(users),
      hasher: new FakeHasher(),
      clock,
      tokens: { signer, configuredKeys: [first.privateKey, second.privateKey], settings: SETTINGS },
    }).tokens;
    expect((await tokens.keySet()).keys).toEqual([first.publicJwk, second.publicJwk]);
    expect(await kidOfNewToken(tokens, clock)).toBe(first.kid);
    expect((await tokens.list()).keys.map((key) => [key.kid, key.state])).toEqual([
      [first.kid, 'signing'],
      [second.kid, 'verifying'],
    ]);
    await expect(tokens.rotate()).rejects.toThrow(/come from JWT_SIGNING_KEYS/);
  });

  it('are unavailable when none are configured', async () => {
    const users = new MemoryUserRepository();
    const auth = createAuth({ users, sessions: new MemorySessionRepository(users), resetTokens: new MemoryPasswordResetTokenRepository(users), hasher: new FakeHasher() });
    await expect(auth.tokens.issue(session(new FakeClock()), 'https://a.example')).rejects.toBeInstanceOf(SigningKeyUnavailableError);
    await expect(auth.tokens.keySet()).rejects.toBeInstanceOf(SigningKeyUnavailableError);
  });
});
