import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryPendingLoginRepository, MemorySecondFactorRepository, MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import type { AuthService } from '../../src';
import { createAuth, NoPendingLoginError, SecondFactorRequiredError, SecondFactorThrottle } from '../../src';
import type { SecretBox, User } from '../../src';
import { referenceTotp } from '../../../adapters/test/support/totp-reference';
import { FakeClock, FakeHasher } from '../fakes';

/** Seals by reversing: these rules need a box, not its cipher. */
const reversingBox: SecretBox = {
  seal: (plaintext, context) => `${context}|${[...plaintext].reverse().join('')}`,
  open: (sealed, context) => [...sealed.slice(context.length + 1)].reverse().join(''),
};

describe('second factor rules', () => {
  let clock: FakeClock;
  let auth: AuthService;
  let audit: MemoryAuditLog;
  let user: User;
  let secret: string;

  beforeEach(async () => {
    clock = new FakeClock();
    audit = new MemoryAuditLog();
    auth = createAuth({
      ...memoryStores(),
      hasher: new FakeHasher(),
      clock,
      audit,
      secondFactor: {
        factors: new MemorySecondFactorRepository(),
        pendingLogins: new MemoryPendingLoginRepository(),
        box: reversingBox,
        throttle: new SecondFactorThrottle(new MemoryThrottleStore(), { failuresPerAccount: 5, windowMs: 900_000 }),
        settings: { codeCheckMs: 0 },
      },
    });
    user = await auth.registerUser('ada@example.com', 'b4l0u');
    const { session } = await auth.logins.login('ada@example.com', 'b4l0u');
    ({ secret } = await auth.secondFactor.startEnrolment(user));
    await auth.secondFactor.enable(user, referenceTotp(secret, clock.now()), session.id);
  });

  async function pending(): Promise<string> {
    const error = await auth.logins.login('ada@example.com', 'b4l0u').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SecondFactorRequiredError);
    return (error as SecondFactorRequiredError).pendingToken;
  }

  it('opens no session when the password changed between the password step and the code', async () => {
    const token = await pending();
    const reset = await auth.getResetPasswordToken('ada@example.com');
    await auth.updatePassword(reset, 'n3w-password');
    clock.advance(30_000);
    await expect(auth.logins.completeWithSecondFactor(token, referenceTotp(secret, clock.now()))).rejects.toBeInstanceOf(NoPendingLoginError);
    expect(await auth.sessions.list(user.id)).toEqual([]);
  });

  it('opens a session of strength second_factor, and an admin reset ends it with every pending login', async () => {
    const token = await pending();
    const waiting = await pending();
    clock.advance(30_000);
    const { session } = await auth.logins.completeWithSecondFactor(token, referenceTotp(secret, clock.now()));
    expect(session.strength).toBe('second_factor');
    expect(await auth.secondFactor.resetByAdmin(user.id)).toBe(true);
    expect(await auth.sessions.list(user.id)).toEqual([]);
    clock.advance(30_000);
    await expect(auth.logins.completeWithSecondFactor(waiting, referenceTotp(secret, clock.now()))).rejects.toBeInstanceOf(NoPendingLoginError);
    expect((await auth.logins.login('ada@example.com', 'b4l0u')).session.strength).toBe('password');
    const types = (await audit.recent({ email: 'ada@example.com', userId: user.id, limit: 50 })).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['second_factor_enrolled', 'second_factor_reset_by_admin', 'session_revoked_by_admin']));
  });

  it('ends a pending login after 5 minutes', async () => {
    const token = await pending();
    clock.advance(5 * 60_000);
    await expect(auth.logins.completeWithSecondFactor(token, referenceTotp(secret, clock.now()))).rejects.toBeInstanceOf(NoPendingLoginError);
  });
});
