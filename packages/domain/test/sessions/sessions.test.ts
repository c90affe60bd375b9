import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryPasswordResetTokenRepository, MemorySessionRepository, MemoryUserRepository } from '@latchkey/adapters';
import type { AuthService } from '../../src';
import { createAuth, InvalidCredentialsError } from '../../src';
import type { AuthEventType } from '../../src';
import { FakeClock, FakeHasher } from '../fakes';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Rounds of the login-against-reset race; each round runs both at once. */
const RACE_ROUNDS = 30;

/** A hasher whose checks take a while, so a reset can complete while a login is checking. */
class SlowHasher extends FakeHasher {
  constructor(private readonly delayMs: number) {
    super();
  }
  override async verify(password: string, hashed: string): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.verify(password, hashed);
  }
}

describe('sessions: many per user, listed and ended by their owner', () => {
  let users: MemoryUserRepository;
  let sessions: MemorySessionRepository;
  let clock: FakeClock;
  let audit: MemoryAuditLog;
  let auth: AuthService;

  const make = (settings = {}) => createAuth({ users, sessions, resetTokens: new MemoryPasswordResetTokenRepository(users), hasher: new FakeHasher(), clock, audit, settings });
  const trail = async (userId: number): Promise<AuthEventType[]> =>
    (await audit.recent({ email: 'bob@example.com', userId, limit: 100 })).map((event) => event.type).reverse();

  beforeEach(async () => {
    users = new MemoryUserRepository();
    sessions = new MemorySessionRepository(users);
    clock = new FakeClock();
    audit = new MemoryAuditLog();
    auth = make();
    await auth.registerUser('bob@example.com', 'right');
  });

  it('lists the live sessions, most recently used first, with client and public id', async () => {
    const laptop = await auth.logins.login('bob@example.com', 'right', { ip: '198.51.100.1', userAgent: 'laptop' });
    clock.advance(2 * MINUTE);
    const phone = await auth.logins.login('bob@example.com', 'right', { ip: '198.51.100.2', userAgent: 'phone' });
    const listed = await auth.sessions.list(laptop.user.id);
    expect(listed.map((s) => s.userAgent)).toEqual(['phone', 'laptop']);
    expect(listed[0]).toMatchObject({ id: phone.session.id, ip: '198.51.100.2', createdAt: clock.now() });
    expect(listed[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(auth.sessions.endsAt(listed[0]!)).toBe(clock.now() + 24 * HOUR);
  });

  it('logout ends only the session of the cookie', async () => {
    const laptop = await auth.logins.login('bob@example.com', 'right');
    const phone = await auth.logins.login('bob@example.com', 'right');
    expect(await auth.sessions.logout(laptop.sessionId)).toBe(true);
    expect(await auth.getUserFromSessionId(laptop.sessionId)).toBeNull();
    expect(await auth.getUserFromSessionId(phone.sessionId)).not.toBeNull();
    expect(await auth.sessions.logout(laptop.sessionId)).toBe(false);
  });

  it("the owner ends one session or all others; another user's session id ends nothing", async () => {
    const laptop = await auth.logins.login('bob@example.com', 'right');
    const phone = await auth.logins.login('bob@example.com', 'right');
    const tablet = await auth.logins.login('bob@example.com', 'right');
    await auth.registerUser('eve@example.com', 'pw');
    const eve = await auth.logins.login('eve@example.com', 'pw');
    expect(await auth.sessions.revoke(eve.user.id, phone.session.id)).toBe(false);
    expect(await auth.sessions.revoke(laptop.user.id, phone.session.id)).toBe(true);
    expect(await auth.getUserFromSessionId(phone.sessionId)).toBeNull();
    expect(await auth.sessions.revokeOthers(laptop.user.id, laptop.session.id)).toBe(1);
    expect(await auth.getUserFromSessionId(tablet.sessionId)).toBeNull();
    expect(await auth.getUserFromSessionId(laptop.sessionId)).not.toBeNull();
    expect(await auth.getUserFromSessionId(eve.sessionId)).not.toBeNull();
    expect(await trail(laptop.user.id)).toContain('session_revoked');
  });

  it('a limit of 2 ends the least recently used session on the third login', async () => {
    auth = make({ sessionsPerUserMax: 2 });
    const first = await auth.logins.login('bob@example.com', 'right');
    clock.advance(MINUTE);
    const second = await auth.logins.login('bob@example.com', 'right');
    clock.advance(MINUTE);
    await auth.getUserFromSessionId(first.sessionId); // now the first is the more recently used
    clock.advance(MINUTE);
    const third = await auth.logins.login('bob@example.com', 'right');
    expect(await auth.getUserFromSessionId(second.sessionId)).toBeNull();
    expect(await auth.getUserFromSessionId(first.sessionId)).not.toBeNull();
    expect(await auth.getUserFromSessionId(third.sessionId)).not.toBeNull();
    expect(await trail(first.user.id)).toContain('session_ended_by_limit');
  });

  it('deletes expired sessions in batches of the size asked', async () => {
    for (let i = 0; i < 5; i++) await auth.createSession('bob@example.com');
    const kept = await auth.logins.login('bob@example.com', 'right');
    clock.advance(24 * HOUR);
    expect(await auth.sessions.deleteExpired(2)).toBe(2);
    expect(await auth.sessions.deleteExpired(10)).toBe(4);
    expect(await auth.sessions.deleteExpired(10)).toBe(0);
    expect(await auth.getUserFromSessionId(kept.sessionId)).toBeNull();
    expect((await trail(kept.user.id)).filter((type) => type === 'session_expired')).toHaveLength(6);
  });

  it('records each ending with its cause', async () => {
    const user = (await auth.logins.login('bob@example.com', 'right')).user;
    const a = await auth.logins.login('bob@example.com', 'right');
    await auth.sessions.logout(a.sessionId);
    await auth.createSession('bob@example.com');
    expect(await auth.sessions.revokeAsAdmin(user.id)).toBe(2);
    await auth.createSession('bob@example.com');
    await auth.updatePassword(await auth.getResetPasswordToken('bob@example.com'), 'new');
    const types = await trail(user.id);
    for (const type of ['logout', 'session_revoked_by_admin', 'session_ended_by_reset'] as const) expect(types).toContain(type);
  });

  it(`a login checking the old password while a reset completes never yields a session (${RACE_ROUNDS} rounds)`, async () => {
    const slow = createAuth({ users, sessions, resetTokens: new MemoryPasswordResetTokenRepository(users), hasher: new SlowHasher(15), clock });
    let password = 'right';
    let refused = 0;
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const token = await slow.getResetPasswordToken('bob@example.com');
      const next = `pw-${round}`;
      // The login reads the old hash and starts checking; the reset hashes, writes and ends sessions meanwhile.
      const [login] = await Promise.allSettled([slow.logins.login('bob@example.com', password), slow.updatePassword(token, next)]);
      password = next;
      if (login.status === 'fulfilled') {
        expect(await slow.getUserFromSessionId(login.value.sessionId), `round ${round}`).toBeNull();
      } else {
        expect(login.reason).toBeInstanceOf(InvalidCredentialsError);
        refused++;
      }
    }
    expect(refused).toBe(RACE_ROUNDS);
  });
});
