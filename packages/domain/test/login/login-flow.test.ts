import { describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import type { LoginStep, LoginVerdict, User } from '../../src';
import {
  AuditRecorder,
  DEFAULT_SESSION_LIMITS,
  InvalidCredentialsError,
  LoginFlow,
  LoginThrottle,
  PASS,
  PasswordCheck,
  SessionManager,
  UNCONFIGURED_SECOND_FACTORS,
  ValidationError,
} from '../../src';
import { FakeClock, FakeHasher } from '../fakes';

/** A flow over memory stores with the given steps, as createAuth builds it with its own. */
async function flowWith(steps: LoginStep[]) {
  const clock = new FakeClock();
  const stores = memoryStores();
  const hasher = new FakeHasher();
  const log = new MemoryAuditLog();
  const audit = new AuditRecorder(log, clock);
  const sessions = new SessionManager(stores.sessions, DEFAULT_SESSION_LIMITS, clock, audit);
  const throttleStore = new MemoryThrottleStore(clock);
  const throttle = new LoginThrottle(throttleStore, { failuresPerAccount: 3 });
  const flow = new LoginFlow({ passwords: new PasswordCheck(stores.users, hasher), sessions, audit, steps, secondFactor: UNCONFIGURED_SECOND_FACTORS, throttle });
  await stores.users.addUser('ann@example.com', await hasher.hash('right'));
  return { flow, log, sessions, throttleStore };
}

function step(name: string, decide: (user: User) => LoginVerdict, seen: string[]): LoginStep {
  return { name, decide: async (user) => (seen.push(name), decide(user)) };
}

describe('the login flow', () => {
  it('runs its steps in order after the right password, then opens a session', async () => {
    const seen: string[] = [];
    const { flow, sessions } = await flowWith([step('first', () => PASS, seen), step('second', () => PASS, seen)]);
    const { user, sessionId } = await flow.login('ann@example.com', 'right');
    expect(seen).toEqual(['first', 'second']);
    expect((await sessions.authenticate(sessionId))?.user.id).toBe(user.id);
  });

  it('runs no step for a wrong password', async () => {
    const seen: string[] = [];
    const { flow } = await flowWith([step('first', () => PASS, seen)]);
    await expect(flow.login('ann@example.com', 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(seen).toEqual([]);
  });

  it('stops at a refusing step as at a wrong password: no session, its event recorded, the failure counted', async () => {
    const seen: string[] = [];
    const { flow, log, throttleStore } = await flowWith([step('refuse', () => ({ kind: 'refuse', event: 'login_unverified' }), seen), step('never', () => PASS, seen)]);
    await expect(flow.login('ann@example.com', 'right')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(seen).toEqual(['refuse']);
    expect((await log.recent({ email: 'ann@example.com', limit: 5 })).map((event) => event.type)).toContain('login_unverified');
    expect((await throttleStore.peek('login:account:ann@example.com')).count).toBe(1);
  });

  it("answers a challenging step's error, opens no session and gives the password's failure back", async () => {
    const seen: string[] = [];
    const challenge = new ValidationError('send a code');
    const { flow, throttleStore } = await flowWith([step('challenge', () => ({ kind: 'challenge', start: async () => challenge }), seen), step('never', () => PASS, seen)]);
    await expect(flow.login('ann@example.com', 'right')).rejects.toBe(challenge);
    expect(seen).toEqual(['challenge']);
    expect((await throttleStore.peek('login:account:ann@example.com')).count).toBe(0);
  });
});
