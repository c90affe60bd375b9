import { describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import { createAuth, DependencyUnavailableError, LoginThrottle, ThrottleUnavailableError } from '../../src';
import type { AuditLog, AuthEvent, AuthEventType, ThrottleStore } from '../../src';
import { FakeClock, FakeHasher } from '../fakes';

/** An audit trail whose writes fail (its database's disk is full, say) while `failing` is true. */
class FailingAuditLog extends MemoryAuditLog implements AuditLog {
  failing = false;
  override async record(event: AuthEvent): Promise<void> {
    if (this.failing) throw new DependencyUnavailableError(5, new Error('SQLITE_FULL'));
    await super.record(event);
  }
}

/** Counters that cannot be reached, as when Redis is down or frozen past its deadline. */
const unreachable: ThrottleStore = {
  hit: () => Promise.reject(new Error('Command timed out')),
  peek: () => Promise.reject(new Error('Command timed out')),
  reset: () => Promise.reject(new Error('Command timed out')),
  take: () => Promise.reject(new Error('Command timed out')),
  giveBack: () => Promise.reject(new Error('Command timed out')),
};

function service(options: { throttleStore?: ThrottleStore } = {}) {
  const clock = new FakeClock();
  const audit = new FailingAuditLog();
  const lost: Array<{ type: AuthEventType; userId: number | null }> = [];
  const stores = memoryStores();
  const users = stores.users;
  const auth = createAuth({
    ...stores,
    hasher: new FakeHasher(),
    clock,
    audit,
    throttle: new LoginThrottle(options.throttleStore ?? new MemoryThrottleStore(clock)),
    onAuditFailure: (_error, event) => lost.push(event),
  });
  return { auth, audit, lost, users };
}

describe('the audit trail records what happened', () => {
  it('records a login refused because the counters cannot be reached as login_unavailable, not login_throttled', async () => {
    const { auth, audit } = service({ throttleStore: unreachable });
    await auth.registerUser('amy@example.com', 'b4l0u');
    await expect(auth.logins.login('amy@example.com', 'b4l0u')).rejects.toBeInstanceOf(ThrottleUnavailableError);
    const types = (await audit.recent({ email: 'amy@example.com', limit: 10 })).map((event) => event.type);
    expect(types).toEqual(['login_unavailable', 'register']);
  });

  it('keeps a registration, a login, a logout and a password change done when their event cannot be written', async () => {
    const { auth, audit, lost, users } = service();
    audit.failing = true;
    const user = await auth.registerUser('bob@example.com', 'b4l0u');
    expect((await users.findUserBy({ email: 'bob@example.com' })).id).toBe(user.id);
    const { sessionId } = await auth.logins.login('bob@example.com', 'b4l0u');
    expect((await auth.getUserFromSessionId(sessionId))?.id).toBe(user.id);
    await auth.destroySession(user.id);
    const { token } = await auth.passwords.request('bob@example.com');
    await auth.updatePassword(token, 't4rt1fl3tt3', 'bob@example.com');
    expect(await auth.validLogin('bob@example.com', 't4rt1fl3tt3')).toBe(true);
    // Each lost event is reported (to the log), by type and user id only.
    expect(lost).toEqual([
      { type: 'register', userId: user.id },
      { type: 'login_succeeded', userId: user.id },
      { type: 'logout', userId: user.id },
      { type: 'reset_requested', userId: user.id },
      { type: 'password_changed', userId: user.id },
    ]);
  });
});
