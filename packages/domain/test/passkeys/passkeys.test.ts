import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryPasskeyChallengeStore, MemoryPasskeyRepository, SimpleWebAuthnCeremony, memoryStores } from '@latchkey/adapters';
import type { AuthService, PasskeyDeps, User } from '../../src';
import {
  InvalidPasskeyError,
  NoPasskeyCeremonyError,
  PasskeysUnconfiguredError,
  StepUpRequiredError,
  createAuth,
  hasUsablePassword,
  passkeyName,
} from '../../src';
import { SoftwareAuthenticator } from '../../../adapters/test/support/software-authenticator';
import { FakeClock, FakeHasher } from '../fakes';

const ORIGIN = 'https://id.example.com';
const ceremony = () => new SimpleWebAuthnCeremony({ id: 'id.example.com', name: 'Example', origins: [ORIGIN], userVerification: 'preferred' });

describe('passkey rules, on memory adapters with a fake clock and the real ceremony', () => {
  let clock: FakeClock;
  let auth: AuthService;
  let idKey: Uint8Array;
  let user: User;

  function build(passkeys: Partial<PasskeyDeps> = {}): AuthService {
    return createAuth({
      ...memoryStores(),
      hasher: new FakeHasher(),
      clock,
      audit: new MemoryAuditLog(),
      passkeys: { passkeys: new MemoryPasskeyRepository(), challenges: new MemoryPasskeyChallengeStore(), ceremony: ceremony(), idKey, ...passkeys },
    });
  }

  beforeEach(async () => {
    clock = new FakeClock();
    idKey = randomBytes(32);
    auth = build();
    user = await auth.registerUser('ada@example.com', 'b4l0u');
  });

  async function signedIn() {
    const { sessionId } = await auth.logins.login('ada@example.com', 'b4l0u');
    return (await auth.sessions.authenticate(sessionId))!;
  }

  it('answers stand-ins for an email without passkeys that depend only on the email and the key', async () => {
    const other = build();
    await other.registerUser('ada@example.com', 'b4l0u');
    const ids = async (a: AuthService, email: string) => ((await a.passkeys.signInOptions(email)).options.allowCredentials as Array<{ id: string }>).map((c) => c.id);
    expect(await ids(auth, 'nobody@example.com')).toEqual(await ids(other, ' NOBODY@example.com'));
    // An account without passkeys answers as an unknown email does.
    expect(await ids(auth, 'ada@example.com')).toEqual(await ids(other, 'ada@example.com'));
    idKey = randomBytes(32);
    expect(await ids(build(), 'nobody@example.com')).not.toEqual(await ids(auth, 'nobody@example.com'));
    const counts = await Promise.all(Array.from({ length: 40 }, async (_, i) => (await ids(auth, `user${i}@example.com`)).length));
    expect(new Set(counts)).toEqual(new Set([1, 2]));
  });

  it('keeps a challenge until its TTL and no longer, and gives the same user handle to every registration', async () => {
    const found = await signedIn();
    const key = new SoftwareAuthenticator({ algorithm: 'EdDSA' });
    const first = await auth.passkeys.registrationOptions(found, undefined);
    const handle = (first.user as { id: string }).id;
    expect(Buffer.from(handle, 'base64url')).toHaveLength(32);
    clock.advance(300_000 - 1);
    await auth.passkeys.register(found, key.register(first, { origin: ORIGIN }), 'Phone');
    const second = await auth.passkeys.registrationOptions(found, 'b4l0u');
    expect((second.user as { id: string }).id).toBe(handle);
    clock.advance(300_000);
    await expect(auth.passkeys.register(found, new SoftwareAuthenticator().register(second, { origin: ORIGIN }), undefined)).rejects.toBeInstanceOf(NoPasskeyCeremonyError);

    const { options, handle: ceremonyHandle } = await auth.passkeys.signInOptions(undefined);
    clock.advance(300_000);
    await expect(auth.passkeys.signIn(ceremonyHandle, key.assert(options, { origin: ORIGIN }))).rejects.toBeInstanceOf(NoPasskeyCeremonyError);
    const fresh = await auth.passkeys.signInOptions(undefined);
    const result = await auth.passkeys.signIn(fresh.handle, key.assert(fresh.options, { origin: ORIGIN }));
    expect(result.session.strength).toBe('passkey');
    expect(result.user.id).toBe(user.id);
    await expect(auth.passkeys.signIn(fresh.handle, key.assert(fresh.options, { origin: ORIGIN }))).rejects.toBeInstanceOf(NoPasskeyCeremonyError);
  });

  it('counts a session as its own step-up for PASSKEY_STEP_UP_SECONDS after its login', async () => {
    const found = await signedIn();
    clock.advance(600_000);
    await expect(auth.passkeys.registrationOptions(found, undefined)).resolves.toBeDefined();
    clock.advance(1);
    await expect(auth.passkeys.registrationOptions(found, undefined)).rejects.toBeInstanceOf(StepUpRequiredError);
    await expect(auth.passkeys.registrationOptions(found, 'b4l0u')).resolves.toBeDefined();
  });

  it('refuses an assertion of another relying party’s origin with the same key', async () => {
    const key = new SoftwareAuthenticator();
    const found = await signedIn();
    await auth.passkeys.register(found, key.register(await auth.passkeys.registrationOptions(found, undefined), { origin: ORIGIN }), undefined);
    const { options, handle } = await auth.passkeys.signInOptions('ada@example.com');
    await expect(auth.passkeys.signIn(handle, key.assert(options, { origin: 'https://id.example.com.evil.test' }))).rejects.toBeInstanceOf(InvalidPasskeyError);
  });

  it('without a relying party refuses every ceremony, and still lists', async () => {
    auth = build({ ceremony: undefined });
    const ada = await auth.registerUser('ada@example.com', 'b4l0u');
    expect(auth.passkeys.configured).toBe(false);
    await expect(auth.passkeys.signInOptions(undefined)).rejects.toBeInstanceOf(PasskeysUnconfiguredError);
    expect(await auth.passkeys.list(ada.id)).toEqual([]);
  });

  it('names and passwords: names are trimmed, cleaned and bounded; an empty or `!` hash is no usable password', () => {
    expect(passkeyName('  Work\tlaptop\n ', 'Passkey 1')).toBe('Work laptop');
    expect(passkeyName('   ', 'Passkey 3')).toBe('Passkey 3');
    expect(passkeyName(undefined, 'Passkey 1')).toBe('Passkey 1');
    expect([...passkeyName('é'.repeat(100), '')]).toHaveLength(64);
    expect(hasUsablePassword({ hashedPassword: '$2b$12$abc' })).toBe(true);
    expect(hasUsablePassword({ hashedPassword: '' })).toBe(false);
    expect(hasUsablePassword({ hashedPassword: '!' })).toBe(false);
  });
});
