import { describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryUserRepository, memoryStores } from '@latchkey/adapters';
import { createAuth, EMAIL_MAX_OCTETS, InvalidCredentialsError, ValidationError, parseEmail, parseEmailOrNull } from '../../src';
import type { UserRepository } from '../../src';
import { FakeHasher } from '../fakes';

describe('parseEmail', () => {
  it('keeps the contract’s emails as they are, trimmed', () => {
    expect(parseEmail('guillaume@holberton.io')).toBe('guillaume@holberton.io');
    expect(parseEmail('  Bob@Example.com\n')).toBe('Bob@Example.com');
  });

  it('normalizes to NFC, so one address typed two ways is one', () => {
    expect(parseEmail('zoe\u0308@example.com')).toBe('zo\u00EB@example.com');
  });

  it(`accepts ${EMAIL_MAX_OCTETS} octets and refuses one more, counting UTF-8 bytes`, () => {
    expect(parseEmail(`${'a'.repeat(242)}@example.com`)).toHaveLength(254);
    expect(() => parseEmail(`${'a'.repeat(243)}@example.com`)).toThrow(ValidationError);
    expect(() => parseEmail(`${'é'.repeat(122)}@example.com`)).toThrow('email must be at most 254 bytes');
  });

  it.each([
    ['empty', ''],
    ['no @', 'bob.example.com'],
    ['two @', 'bob@@example.com'],
    ['no name', '@example.com'],
    ['no domain', 'bob@'],
    ['NUL', 'bob\u0000@example.com'],
    ['a control character', 'bob\u001b@example.com'],
    ['DEL', 'bob\u007f@example.com'],
    ['a C1 control', 'bob\u0085x@example.com'],
    ['U+FFFD', 'bob\uFFFD@example.com'],
    ['a lone high surrogate', 'bob\uD83D@example.com'],
    ['a lone low surrogate', 'bob\uDE00@example.com'],
  ])('refuses %s', (_, email) => {
    expect(() => parseEmail(email)).toThrow(ValidationError);
    expect(parseEmailOrNull(email)).toBeNull();
  });

  it('accepts a paired surrogate (an emoji) and non-ASCII letters', () => {
    expect(parseEmail('b\uD83D\uDE00b@exämple.com')).toBe('b😀b@exämple.com');
  });
});

/** A repository that counts its calls: "before any database work" means zero. */
function counting(users: UserRepository): { users: UserRepository; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(users, {
    get: (target, name, receiver) => {
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function' ? (...args: unknown[]) => (calls++, (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
    },
  });
  return { users: counted, calls: () => calls };
}

describe('AuthService with impossible emails', () => {
  const bad = `${'x'.repeat(15_000)}\u0000@example.com`;

  it('refuses them with ValidationError before any repository call: registration, reset request, reset', async () => {
    const stored = new MemoryUserRepository();
    const { users, calls } = counting(stored);
    const auth = createAuth({ ...memoryStores(stored), users, hasher: new FakeHasher() });
    await expect(auth.registerUser(bad, 'pw')).rejects.toBeInstanceOf(ValidationError);
    await expect(auth.passwords.request(bad)).rejects.toBeInstanceOf(ValidationError);
    await expect(auth.updatePassword('token', 'pw', bad)).rejects.toBeInstanceOf(ValidationError);
    expect(calls()).toBe(0);
  });

  it('answers a login as a wrong password, after the same one hash check, with a bounded audit row', async () => {
    const stored = new MemoryUserRepository();
    const { users, calls } = counting(stored);
    const hasher = new FakeHasher();
    const audit = new MemoryAuditLog();
    const auth = createAuth({ ...memoryStores(stored), users, hasher, audit });
    hasher.verifications = 0;
    await expect(auth.logins.login(bad, 'pw', { ip: '192.0.2.1' })).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(hasher.verifications).toBe(1);
    expect(calls()).toBe(0);
    expect(await auth.validLogin(bad, 'pw')).toBe(false);
    const [event] = await audit.recent({ email: bad.slice(0, 254), limit: 1 });
    expect(event).toMatchObject({ type: 'login_failed', email: 'x'.repeat(254) });
  });
});
