import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import type { AuthService } from '../../src';
import { createAuth, LoginThrottle, digestSecret } from '../../src';
import type { ClientContext, RecordedAuthEvent } from '../../src';
import { FakeClock, FakeHasher } from '../fakes';

describe('the audit trail of AuthService', () => {
  const client: ClientContext = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' };
  let clock: FakeClock;
  let audit: MemoryAuditLog;
  let auth: AuthService;

  beforeEach(() => {
    clock = new FakeClock();
    audit = new MemoryAuditLog();
    const throttle = new LoginThrottle(new MemoryThrottleStore(clock), { failuresPerAccount: 2, failuresPerIp: 100, windowMs: 60_000 });
    auth = createAuth({ ...memoryStores(), hasher: new FakeHasher(), clock, throttle, audit });
  });

  const events = async (email: string, userId?: number): Promise<RecordedAuthEvent[]> => (await audit.recent({ email, userId, limit: 100 })).reverse();

  it('records each step of an account\'s life with who, when and from where', async () => {
    const user = await auth.registerUser(' Bob@Example.com', 'b4l0u', client);
    clock.advance(1000);
    await expect(auth.logins.login('bob@example.com', 'wrong', client)).rejects.toThrow();
    await auth.logins.login('BOB@example.com', 'b4l0u', client);
    await auth.destroySession(user.id, client);
    const { token } = await auth.passwords.request('bob@example.com', client);
    await auth.updatePassword(token, 't4rt1fl3tt3', 'bob@example.com', client);

    const trail = await events('bob@example.com', user.id);
    expect(trail.map((e) => e.type)).toEqual(['register', 'login_failed', 'login_succeeded', 'logout', 'reset_requested', 'password_changed']);
    for (const event of trail) {
      expect(event).toMatchObject({ userId: user.id, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' });
      expect(event.email === null || event.email === 'bob@example.com').toBe(true);
    }
    expect(trail[0]!.occurredAt).toBe(clock.now() - 1000);
    expect(trail[1]!.occurredAt).toBe(clock.now());
  });

  it('records failures and reset requests for unknown emails, with no user id', async () => {
    await expect(auth.logins.login('ghost@example.com', 'x', client)).rejects.toThrow();
    await expect(auth.passwords.request('ghost@example.com', client)).rejects.toThrow();
    expect((await events('ghost@example.com')).map((e) => [e.type, e.userId])).toEqual([
      ['login_failed', null],
      ['reset_requested', null],
    ]);
  });

  it('records throttled logins', async () => {
    await auth.registerUser('amy@example.com', 'right');
    for (let i = 0; i < 2; i++) await expect(auth.logins.login('amy@example.com', 'wrong', client)).rejects.toThrow();
    await expect(auth.logins.login('amy@example.com', 'right', client)).rejects.toThrow(/too many/i);
    expect((await events('amy@example.com')).map((e) => e.type)).toEqual(['register', 'login_failed', 'login_failed', 'login_throttled']);
  });

  it('works without a client context, and keeps at most 512 characters of a user agent', async () => {
    await auth.registerUser('cat@example.com', 'pw');
    await auth.logins.login('cat@example.com', 'pw', { userAgent: 'x'.repeat(5000) });
    const [register, login] = await events('cat@example.com');
    expect(register).toMatchObject({ ip: null, userAgent: null });
    expect(login!.userAgent).toHaveLength(512);
  });

  it('records an expiry as such, not as a logout', async () => {
    const user = await auth.registerUser('dan@example.com', 'pw');
    const { sessionId } = await auth.logins.login('dan@example.com', 'pw');
    clock.advance(8 * 24 * 3600_000);
    expect(await auth.getUserFromSessionId(sessionId)).toBeNull();
    expect((await events('dan@example.com', user.id)).map((e) => e.type)).toEqual(['register', 'login_succeeded', 'session_expired']);
  });

  it('never records a secret', async () => {
    const user = await auth.registerUser('eve@example.com', 'p4ssw0rd-secret', client);
    await expect(auth.logins.login('eve@example.com', 'wrong-secret', client)).rejects.toThrow();
    const { sessionId } = await auth.logins.login('eve@example.com', 'p4ssw0rd-secret', client);
    const { token } = await auth.passwords.request('eve@example.com', client);
    await auth.updatePassword(token, 'n3w-secret', 'eve@example.com', client);
    const stored = await auth.logins.login('eve@example.com', 'n3w-secret');
    const storedDigest = stored.session.secretDigest;
    const text = JSON.stringify(await events('eve@example.com', user.id));
    for (const secret of ['p4ssw0rd-secret', 'wrong-secret', 'n3w-secret', sessionId, token, digestSecret(sessionId), digestSecret(token), stored.sessionId, storedDigest]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/fake\$/);
  });
});
