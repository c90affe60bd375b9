import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySessionRepository, MemoryUserRepository, memoryStores } from '@latchkey/adapters';
import type { AuthService } from '../src';
import {
  createAuth,
  InvalidCredentialsError,
  InvalidResetTokenError,
  PasswordPolicy,
  UnknownUserError,
  UserAlreadyExistsError,
  ValidationError,
  digestSecret,
} from '../src';
import { FakeClock, FakeHasher } from './fakes';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('AuthService', () => {
  let users: MemoryUserRepository;
  let sessions: MemorySessionRepository;
  let hasher: FakeHasher;
  let clock: FakeClock;
  let auth: AuthService;
  let storage: ReturnType<typeof memoryStores>;

  beforeEach(() => {
    users = new MemoryUserRepository();
    hasher = new FakeHasher();
    clock = new FakeClock();
    storage = memoryStores(users);
    sessions = storage.sessions;
    auth = createAuth({ ...storage, hasher, clock });
  });

  describe('hashPassword and generateUuid', () => {
    it('hashes through the PasswordHasher port, salted', async () => {
      const [a, b] = await Promise.all([auth.hashPassword('b4l0u'), auth.hashPassword('b4l0u')]);
      expect(a).not.toBe(b);
      expect(await hasher.verify('b4l0u', a)).toBe(true);
    });

    it('generates distinct UUID v4 strings', () => {
      const uuid = auth.generateUuid();
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(auth.generateUuid()).not.toBe(uuid);
    });
  });

  describe('registerUser', () => {
    it('stores the user with a hash, not the password', async () => {
      const user = await auth.registerUser('me@example.com', 'mySecuredPwd');
      expect(user.email).toBe('me@example.com');
      expect(user.hashedPassword).not.toContain('mySecuredPwd');
      expect((await users.findUserBy({ email: 'me@example.com' })).id).toBe(user.id);
    });

    it('refuses an existing email with "User <email> already exists"', async () => {
      await auth.registerUser('me@example.com', 'pw');
      const attempt = auth.registerUser('me@example.com', 'pw2');
      await expect(attempt).rejects.toBeInstanceOf(UserAlreadyExistsError);
      await expect(attempt).rejects.toThrow('User me@example.com already exists');
    });

    it('trims the email and treats another case as the same email', async () => {
      const user = await auth.registerUser('  Me@Example.com ', 'pw');
      expect(user.email).toBe('Me@Example.com');
      await expect(auth.registerUser('me@example.COM', 'pw')).rejects.toBeInstanceOf(UserAlreadyExistsError);
    });

    it('refuses an empty email and a password the policy refuses', async () => {
      await expect(auth.registerUser('   ', 'pw')).rejects.toBeInstanceOf(ValidationError);
      await expect(auth.registerUser('a@example.com', '')).rejects.toBeInstanceOf(ValidationError);
      await expect(auth.registerUser('a@example.com', 'é'.repeat(37))).rejects.toThrow('at most 72 bytes');
    });
  });

  describe('validLogin', () => {
    beforeEach(async () => {
      await auth.registerUser('bob@example.com', 'right');
    });

    it('is true only for the right password', async () => {
      expect(await auth.validLogin('bob@example.com', 'right')).toBe(true);
      expect(await auth.validLogin('BOB@example.com', 'right')).toBe(true);
      expect(await auth.validLogin('bob@example.com', 'wrong')).toBe(false);
    });

    it('is false for an unknown email, after the same hashing work', async () => {
      hasher.verifications = 0;
      expect(await auth.validLogin('nobody@example.com', 'right')).toBe(false);
      expect(hasher.verifications).toBe(1);
    });

    it('upgrades a hash made with a lower cost when the password is right', async () => {
      const weak = createAuth({ ...storage, hasher: new FakeHasher(1), clock });
      await weak.registerUser('old@example.com', 'pw');
      expect(hasher.needsRehash((await users.findUserBy({ email: 'old@example.com' })).hashedPassword)).toBe(true);
      expect(await auth.validLogin('old@example.com', 'wrong')).toBe(false);
      expect(hasher.needsRehash((await users.findUserBy({ email: 'old@example.com' })).hashedPassword)).toBe(true);
      expect(await auth.validLogin('old@example.com', 'pw')).toBe(true);
      const upgraded = (await users.findUserBy({ email: 'old@example.com' })).hashedPassword;
      expect(hasher.needsRehash(upgraded)).toBe(false);
      expect(await auth.validLogin('old@example.com', 'pw')).toBe(true);
    });
  });

  describe('sessions', () => {
    beforeEach(async () => {
      await auth.registerUser('bob@example.com', 'right');
    });

    it('createSession returns a new id, stores only its digest, and null for an unknown email', async () => {
      const sid = await auth.createSession('bob@example.com');
      expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const user = await users.findUserBy({ email: 'bob@example.com' });
      const [stored] = await sessions.listForUser(user.id);
      expect(stored!.secretDigest).toBe(digestSecret(sid!));
      expect(JSON.stringify(stored)).not.toContain(sid);
      expect(await auth.createSession('nobody@example.com')).toBeNull();
    });

    it('every login issues a new session id; the earlier sessions (other devices) keep working', async () => {
      const first = await auth.logins.login('bob@example.com', 'right');
      const second = await auth.logins.login('bob@example.com', 'right');
      expect(second.sessionId).not.toBe(first.sessionId);
      expect((await auth.getUserFromSessionId(first.sessionId))?.email).toBe('bob@example.com');
      expect((await auth.getUserFromSessionId(second.sessionId))?.email).toBe('bob@example.com');
    });

    it('login refuses a wrong password and an unknown email alike', async () => {
      await expect(auth.logins.login('bob@example.com', 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
      await expect(auth.logins.login('nobody@example.com', 'right')).rejects.toBeInstanceOf(InvalidCredentialsError);
    });

    it('getUserFromSessionId returns null for null, empty and unknown ids', async () => {
      expect(await auth.getUserFromSessionId(null)).toBeNull();
      expect(await auth.getUserFromSessionId(undefined)).toBeNull();
      expect(await auth.getUserFromSessionId('')).toBeNull();
      expect(await auth.getUserFromSessionId('not-a-session')).toBeNull();
    });

    it('a stored digest used as a cookie opens nothing', async () => {
      await auth.createSession('bob@example.com');
      const user = await users.findUserBy({ email: 'bob@example.com' });
      const [stored] = await sessions.listForUser(user.id);
      expect(await auth.getUserFromSessionId(stored!.secretDigest)).toBeNull();
      expect(await auth.getUserFromSessionId(stored!.id)).toBeNull();
    });

    it('destroySession ends every session of the user; an unknown user id is no error', async () => {
      const { user, sessionId } = await auth.logins.login('bob@example.com', 'right');
      const other = await auth.createSession('bob@example.com');
      await auth.destroySession(user.id);
      expect(await auth.getUserFromSessionId(sessionId)).toBeNull();
      expect(await auth.getUserFromSessionId(other)).toBeNull();
      await expect(auth.destroySession(9999)).resolves.toBeUndefined();
    });

    it('ends a session unused for the idle limit', async () => {
      const { sessionId } = await auth.logins.login('bob@example.com', 'right');
      clock.advance(23 * HOUR);
      expect(await auth.getUserFromSessionId(sessionId)).not.toBeNull();
      clock.advance(23 * HOUR);
      expect(await auth.getUserFromSessionId(sessionId)).not.toBeNull();
      clock.advance(24 * HOUR);
      expect(await auth.getUserFromSessionId(sessionId)).toBeNull();
    });

    it('ends a session at the absolute limit even when used', async () => {
      const { sessionId } = await auth.logins.login('bob@example.com', 'right');
      for (let day = 1; day < 7; day++) {
        clock.advance(24 * HOUR - MINUTE);
        expect(await auth.getUserFromSessionId(sessionId), `day ${day}`).not.toBeNull();
      }
      clock.advance(24 * HOUR);
      expect(await auth.getUserFromSessionId(sessionId)).toBeNull();
    });

    it('records use at most once a minute', async () => {
      const { user, sessionId } = await auth.logins.login('bob@example.com', 'right');
      const seen = async () => (await sessions.listForUser(user.id))[0]!.lastSeenAt;
      const start = await seen();
      clock.advance(30_000);
      await auth.getUserFromSessionId(sessionId);
      expect(await seen()).toBe(start);
      clock.advance(31_000);
      await auth.getUserFromSessionId(sessionId);
      expect(await seen()).toBe(clock.now());
    });

    it('honours configured limits', async () => {
      const short = createAuth({ ...storage, hasher, clock, settings: { sessionTtlMs: 5 * MINUTE } });
      const { sessionId } = await short.logins.login('bob@example.com', 'right');
      clock.advance(5 * MINUTE);
      expect(await short.getUserFromSessionId(sessionId)).toBeNull();
    });
  });

  describe('password reset', () => {
    beforeEach(async () => {
      await auth.registerUser('bob@example.com', 'old');
    });

    it('getResetPasswordToken stores only the digest of a new token', async () => {
      const token = await auth.getResetPasswordToken('bob@example.com');
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await users.findUserBy({ email: 'bob@example.com' })).resetToken).toBe(digestSecret(token));
      expect(await auth.getResetPasswordToken('bob@example.com')).not.toBe(token);
    });

    it('getResetPasswordToken raises for an unknown email', async () => {
      await expect(auth.getResetPasswordToken('nobody@example.com')).rejects.toBeInstanceOf(UnknownUserError);
    });

    it('updatePassword sets the new password and the token stops working', async () => {
      const token = await auth.getResetPasswordToken('bob@example.com');
      await auth.updatePassword(token, 'new');
      expect(await auth.validLogin('bob@example.com', 'new')).toBe(true);
      expect(await auth.validLogin('bob@example.com', 'old')).toBe(false);
      await expect(auth.updatePassword(token, 'again')).rejects.toBeInstanceOf(InvalidResetTokenError);
    });

    it('updatePassword raises for an unknown or empty token', async () => {
      await expect(auth.updatePassword('nope', 'new')).rejects.toBeInstanceOf(InvalidResetTokenError);
      await expect(auth.updatePassword('', 'new')).rejects.toBeInstanceOf(InvalidResetTokenError);
    });

    it('a token works only with the email that asked for it', async () => {
      await auth.registerUser('eve@example.com', 'eve');
      const token = await auth.getResetPasswordToken('bob@example.com');
      await expect(auth.updatePassword(token, 'new', 'eve@example.com')).rejects.toBeInstanceOf(InvalidResetTokenError);
      await auth.updatePassword(token, 'new', 'BOB@example.com');
      expect(await auth.validLogin('bob@example.com', 'new')).toBe(true);
    });

    it('a token expires after its lifetime', async () => {
      const token = await auth.getResetPasswordToken('bob@example.com');
      clock.advance(30 * MINUTE);
      await expect(auth.updatePassword(token, 'new')).rejects.toBeInstanceOf(InvalidResetTokenError);
    });

    it('a new token leaves the older ones working, and using one ends them all', async () => {
      const first = await auth.getResetPasswordToken('bob@example.com');
      const second = await auth.getResetPasswordToken('bob@example.com');
      expect((await users.findUserBy({ id: 1 })).resetToken).toBe(digestSecret(second));
      await auth.updatePassword(first, 'new');
      await expect(auth.updatePassword(second, 'newer')).rejects.toBeInstanceOf(InvalidResetTokenError);
      expect((await users.findUserBy({ id: 1 })).resetToken).toBeNull();
      expect(await auth.validLogin('bob@example.com', 'new')).toBe(true);
    });

    it('keeps the newest tokens up to resetTokensPerUser, dropping the oldest', async () => {
      const tokens = [];
      for (let i = 0; i < 4; i++) tokens.push(await auth.getResetPasswordToken('bob@example.com'));
      await expect(auth.updatePassword(tokens[0]!, 'new')).rejects.toBeInstanceOf(InvalidResetTokenError);
      await auth.updatePassword(tokens[1]!, 'new');
    });

    it('a token issued after another was used keeps working while the first request finishes', async () => {
      let hashing!: () => void;
      let finish!: () => void;
      const entered = new Promise<void>((resolve) => (hashing = resolve));
      const held = new Promise<void>((resolve) => (finish = resolve));
      const slow = createAuth({
        ...storage,
        clock,
        hasher: Object.assign(new FakeHasher(), {
          hash: async (password: string) => {
            hashing();
            await held;
            return new FakeHasher().hash(password);
          },
        }),
      });
      const older = await slow.getResetPasswordToken('bob@example.com');
      const inFlight = slow.updatePassword(older, 'from older');
      await entered;
      const newer = await slow.getResetPasswordToken('bob@example.com');
      finish();
      await inFlight;
      await auth.updatePassword(newer, 'from newer');
      expect(await auth.validLogin('bob@example.com', 'from newer')).toBe(true);
    });

    it('of concurrent uses of one token exactly one wins (50 rounds at once)', async () => {
      const rounds = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const email = `racer${i}@example.com`;
          await auth.registerUser(email, 'old');
          const token = await auth.getResetPasswordToken(email);
          const results = await Promise.allSettled([auth.updatePassword(token, 'a'), auth.updatePassword(token, 'b')]);
          return results.filter((r) => r.status === 'fulfilled').length;
        }),
      );
      expect(rounds).toEqual(Array.from({ length: 50 }, () => 1));
    });

    it('a refused hash (overload) gives the token back', async () => {
      const refusing = createAuth({
        ...storage,
        clock,
        hasher: Object.assign(new FakeHasher(), { hash: async () => Promise.reject(new Error('busy')) }),
      });
      const token = await auth.getResetPasswordToken('bob@example.com');
      await expect(refusing.updatePassword(token, 'new')).rejects.toThrow('busy');
      await auth.updatePassword(token, 'new');
    });

    it('using a token ends every session', async () => {
      const { sessionId } = await auth.logins.login('bob@example.com', 'old');
      const other = await auth.createSession('bob@example.com');
      await auth.updatePassword(await auth.getResetPasswordToken('bob@example.com'), 'new');
      expect(await auth.getUserFromSessionId(sessionId)).toBeNull();
      expect(await auth.getUserFromSessionId(other)).toBeNull();
    });

    it('the new password must follow the policy, and a refused one keeps the token', async () => {
      const strict = createAuth({ ...storage, hasher, clock, policy: new PasswordPolicy({ minLength: 8 }) });
      const token = await strict.getResetPasswordToken('bob@example.com');
      await expect(strict.updatePassword(token, 'short')).rejects.toBeInstanceOf(ValidationError);
      await strict.updatePassword(token, 'long enough');
    });
  });
});
