import { describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryThrottleStore, memoryStores } from '@latchkey/adapters';
import {
  createAuth,
  InvalidCredentialsError,
  InvalidEmailTokenError,
  LoginThrottle,
  ResetThrottle,
  TooManyAttemptsError,
  TooManyResetRequestsError,
  UserAlreadyExistsError,
  WrongPasswordError,
  VERIFICATION_RESENDS,
} from '../../src';
import type { AccountLifecycleSettings, MailMessage, Mailer } from '../../src';
import { FakeClock, FakeHasher, mailOutbox } from '../fakes';

/** Rounds of each race; every round runs its requests at once. */
const RACE_ROUNDS = 30;

class InboxMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
  to(address: string): MailMessage[] {
    return this.sent.filter((m) => m.to.toLowerCase() === address.toLowerCase());
  }
}

/** A hasher whose checks take a while, so concurrent requests overlap. */
class SlowHasher extends FakeHasher {
  override async verify(password: string, hashed: string): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return super.verify(password, hashed);
  }
}

function tokenIn(message: MailMessage): string {
  return /token=([A-Za-z0-9_-]+)/.exec(message.text)![1]!;
}

function setup(settings: Partial<AccountLifecycleSettings> = {}) {
  const audit = new MemoryAuditLog();
  const stores = memoryStores(undefined, audit);
  const mailer = new InboxMailer();
  const clock = new FakeClock();
  const throttleStore = new MemoryThrottleStore();
  const outbox = mailOutbox(stores.outbox, mailer, { clock });
  const auth = createAuth({
    ...stores,
    hasher: new SlowHasher(),
    clock,
    audit,
    throttle: new LoginThrottle(throttleStore, { failuresPerAccount: 3 }),
    account: {
      accounts: stores.accounts,
      emailTokens: stores.emailTokens,
      outbox,
      resendThrottle: new ResetThrottle(throttleStore, { requestsPerEmail: 2 }, VERIFICATION_RESENDS),
      settings: { verifyUrlTemplate: 'https://app.test/verify?token={token}', emailChangeUrlTemplate: 'https://app.test/change?token={token}', ...settings },
    },
  });
  outbox.serve(auth.account);
  return { auth, stores, mailer, clock, audit };
}

describe('the account lifecycle on memory adapters', () => {
  it('off by default: the contract registration, no mail, no email_verified', async () => {
    const { auth, mailer } = setup();
    expect(await auth.account.signUp('a@example.com', 'pw')).toBe('a@example.com');
    await expect(auth.account.signUp('A@example.com', 'pw')).rejects.toBeInstanceOf(UserAlreadyExistsError);
    const { user } = await auth.logins.login('a@example.com', 'pw');
    expect(auth.account.profileFields(user)).toEqual({});
    await auth.account.drain();
    expect(mailer.sent).toEqual([]);
  });

  it('optional: a link is sent, the login works before it is used, the profile tells', async () => {
    const { auth, mailer } = setup({ verification: 'optional' });
    await auth.account.signUp('a@example.com', 'pw');
    await auth.account.drain();
    const { user } = await auth.logins.login('a@example.com', 'pw');
    expect(auth.account.profileFields(user)).toEqual({ email_verified: false });
    const verified = await auth.account.verifyEmail(tokenIn(mailer.to('a@example.com')[0]!));
    expect(auth.account.profileFields(verified)).toEqual({ email_verified: true });
  });

  it('required: a link expires with VERIFICATION_TOKEN_TTL_SECONDS', async () => {
    const { auth, mailer, clock } = setup({ verification: 'required', tokenTtlMs: 60_000 });
    await auth.account.signUp('a@example.com', 'pw');
    await auth.account.drain();
    clock.advance(60_000);
    await expect(auth.account.verifyEmail(tokenIn(mailer.sent[0]!))).rejects.toBeInstanceOf(InvalidEmailTokenError);
    await expect(auth.logins.login('a@example.com', 'pw')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('required: an unverified login counts as a failure of the account, as a wrong password does', async () => {
    const { auth } = setup({ verification: 'required' });
    await auth.account.signUp('a@example.com', 'pw');
    for (let i = 0; i < 3; i++) await expect(auth.logins.login('a@example.com', 'pw')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(auth.logins.login('a@example.com', 'pw')).rejects.toBeInstanceOf(TooManyAttemptsError);
  });

  it('throttles resends per address, for registered and unknown addresses alike', async () => {
    const { auth, mailer } = setup({ verification: 'required' });
    await auth.account.signUp('a@example.com', 'pw');
    for (const email of ['a@example.com', 'nobody@example.com']) {
      await auth.account.resendVerification({ email });
      await auth.account.resendVerification({ email });
      await expect(auth.account.resendVerification({ email })).rejects.toBeInstanceOf(TooManyResetRequestsError);
    }
    await auth.account.drain();
    expect(mailer.to('a@example.com')).toHaveLength(3);
    expect(mailer.to('nobody@example.com')).toHaveLength(0);
  });

  it(`required: racing sign-ups of one address make one account and the same answer (${RACE_ROUNDS} rounds)`, async () => {
    const { auth, stores, mailer } = setup({ verification: 'required' });
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const email = `race${round}@example.com`;
      const answers = await Promise.all(Array.from({ length: 4 }, () => auth.account.signUp(email, 'pw')));
      expect(answers).toEqual([email, email, email, email]);
    }
    await auth.account.drain();
    expect(await stores.users.listUsers({ limit: 1000 })).toHaveLength(RACE_ROUNDS);
    // Each address: one verification link, and three "someone tried" notices.
    expect(mailer.to('race0@example.com').map((m) => m.subject).sort()).toEqual([
      'Confirm your Latchkey email address',
      ...Array(3).fill('Someone tried to sign up to Latchkey with your address'),
    ]);
  });

  it(`lets one of racing password changes win; the others are told the password is wrong (${RACE_ROUNDS} rounds)`, async () => {
    const { auth } = setup();
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const email = `pw${round}@example.com`;
      await auth.registerUser(email, 'old');
      const current = await auth.logins.login(email, 'old');
      const found = (await auth.sessions.authenticate(current.sessionId))!;
      const results = await Promise.allSettled(['new-1', 'new-2', 'new-3'].map((next) => auth.account.changePassword(found, 'old', next)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongPasswordError);
      expect(await auth.sessions.authenticate(current.sessionId)).not.toBeNull();
    }
  });

  it('sends each notice unless switched off, and never a password or token in one', async () => {
    const { auth, mailer } = setup({ notices: ['email_changed'] });
    await auth.registerUser('n@example.com', 'old-secret');
    const found = (await auth.sessions.authenticate((await auth.logins.login('n@example.com', 'old-secret')).sessionId))!;
    await auth.account.changePassword(found, 'old-secret', 'new-secret');
    // The session's user still carries the old hash: its password is checked against it, and refused.
    await expect(auth.account.requestEmailChange(found.user, 'new-secret', 'm@example.com')).rejects.toBeInstanceOf(WrongPasswordError);
    const user = (await auth.sessions.authenticate((await auth.logins.login('n@example.com', 'new-secret')).sessionId))!.user;
    await auth.account.requestEmailChange(user, 'new-secret', 'm@example.com');
    await auth.account.drain();
    expect(mailer.to('n@example.com').map((m) => m.subject)).toEqual(['A change of your Latchkey email address was requested']);
    for (const message of mailer.sent) expect(message.text).not.toMatch(/secret/);
  });
});
