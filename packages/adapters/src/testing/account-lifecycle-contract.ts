import type { ContractTestApi } from './test-api';
import type { AccountRepository, AuditLog, EmailTokenPurpose, EmailTokenRepository, PasskeyRepository, SessionRepository, UserRepository } from '@latchkey/domain';
import { NoResultFound, UserAlreadyExistsError, auditEmailDigest } from '@latchkey/domain';
import { newPasskey } from './passkey-repository-contract';
import { newSession } from './session-repository-contract';

export interface AccountLifecycleFixture {
  users: UserRepository;
  sessions: SessionRepository;
  emailTokens: EmailTokenRepository;
  accounts: AccountRepository;
  audit: AuditLog;
  /** The storage's passkeys, when it keeps them: an account's deletion takes them with it. */
  passkeys?: PasskeyRepository;
  close?: () => Promise<void>;
}

/** Rounds of each race; every round runs its steps concurrently. */
export const LIFECYCLE_RACE_ROUNDS = 30;

const NOW = 1_000_000;
const LATER = NOW + 60_000;

let digests = 0;
function digest(): string {
  return (++digests).toString(16).padStart(64, 'e');
}

/** The behaviour every EmailTokenRepository and AccountRepository adapter must show, races included. */
export function accountLifecycleContract(
  { describe, it, expect, beforeEach, afterEach }: ContractTestApi,
  name: string,
  open: () => Promise<AccountLifecycleFixture>,
): void {
  describe(`EmailTokenRepository and AccountRepository contract: ${name}`, () => {
    let f: AccountLifecycleFixture;
    let n = 0;

    beforeEach(async () => {
      f = await open();
    });
    afterEach(async () => {
      await f.close?.();
    });

    const addUser = async (hash = 'hash-1') => f.users.addUser(`user${++n}@example.com`, hash);
    const issue = async (userId: number, purpose: EmailTokenPurpose, email: string, expiresAt = LATER, keep = 3) => {
      const token = { userId, digest: digest(), purpose, email, expiresAt };
      await f.emailTokens.issue(token, { now: NOW, keep });
      return token.digest;
    };

    it('verifies the address with a live link once, and marks the time', async () => {
      const user = await addUser();
      const link = await issue(user.id, 'verify', user.email);
      expect((await f.users.findUserBy({ id: user.id })).emailVerifiedAt).toBeNull();
      expect(await f.emailTokens.verify(link, NOW + 5)).toBe(user.id);
      expect((await f.users.findUserBy({ id: user.id })).emailVerifiedAt).toBe(NOW + 5);
      expect(await f.emailTokens.verify(link, NOW + 6)).toBeNull();
    });

    it('refuses an expired link, a link of the other purpose and one sent to an address the account no longer has', async () => {
      const user = await addUser();
      expect(await f.emailTokens.verify(await issue(user.id, 'verify', user.email, NOW + 10), NOW + 10)).toBeNull();
      expect(await f.emailTokens.verify(await issue(user.id, 'change', 'new@example.com'), NOW)).toBeNull();
      const link = await issue(user.id, 'verify', user.email);
      await f.users.updateUser(user.id, { email: 'moved@example.com' });
      expect(await f.emailTokens.verify(link, NOW)).toBeNull();
      expect((await f.users.findUserBy({ id: user.id })).emailVerifiedAt).toBeNull();
    });

    it('keeps the newest links of a purpose beyond the bound, and refuses a link for an unknown user', async () => {
      const user = await addUser();
      const links = [];
      for (let i = 0; i < 4; i++) links.push(await issue(user.id, 'verify', user.email, LATER, 3));
      expect(await f.emailTokens.verify(links[0]!, NOW)).toBeNull();
      expect(await f.emailTokens.verify(links[3]!, NOW)).toBe(user.id);
      await expect(issue(999_999, 'verify', 'x@example.com')).rejects.toBeInstanceOf(NoResultFound);
    });

    it('changes the address through a link, verified, and ends every link of the user', async () => {
      const user = await addUser();
      const verify = await issue(user.id, 'verify', user.email);
      const change = await issue(user.id, 'change', 'New.Address@example.com');
      expect(await f.emailTokens.changeEmail(change, NOW + 1)).toEqual({ userId: user.id, previousEmail: user.email, email: 'New.Address@example.com' });
      const moved = await f.users.findUserBy({ email: 'new.address@example.com' });
      expect(moved).toMatchObject({ id: user.id, email: 'New.Address@example.com', emailVerifiedAt: NOW + 1 });
      expect(await f.emailTokens.changeEmail(change, NOW + 2)).toBeNull();
      expect(await f.emailTokens.verify(verify, NOW + 2)).toBeNull();
    });

    it('refuses an address another account has taken, changing nothing and keeping the link', async () => {
      const user = await addUser();
      const other = await addUser();
      const change = await issue(user.id, 'change', other.email.toUpperCase());
      await expect(f.emailTokens.changeEmail(change, NOW)).rejects.toBeInstanceOf(UserAlreadyExistsError);
      expect((await f.users.findUserBy({ id: user.id })).email).toBe(user.email);
      await f.users.updateUser(other.id, { email: 'elsewhere@example.com' });
      expect(await f.emailTokens.changeEmail(change, NOW)).toMatchObject({ userId: user.id });
    });

    it(`uses a verification link once however many requests race for it (${LIFECYCLE_RACE_ROUNDS} rounds)`, async () => {
      let winners = 0;
      for (let round = 0; round < LIFECYCLE_RACE_ROUNDS; round++) {
        const user = await addUser();
        const links = [await issue(user.id, 'verify', user.email), await issue(user.id, 'verify', user.email)];
        const results = await Promise.all([...links, ...links, ...links].map((link) => f.emailTokens.verify(link, NOW)));
        winners += results.filter((result) => result !== null).length;
      }
      expect(winners).toBe(LIFECYCLE_RACE_ROUNDS);
    });

    it(`leaves one owner when changes of email and a sign-up race for one address (${LIFECYCLE_RACE_ROUNDS} rounds)`, async () => {
      for (let round = 0; round < LIFECYCLE_RACE_ROUNDS; round++) {
        const wanted = `wanted${round}@example.com`;
        const a = await addUser();
        const b = await addUser();
        const links = [await issue(a.id, 'change', wanted), await issue(b.id, 'change', wanted.toUpperCase()), await issue(a.id, 'change', wanted)];
        const results = await Promise.allSettled([
          ...links.map((link) => f.emailTokens.changeEmail(link, NOW)),
          f.users.addUser(wanted, 'hash-x'),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled' && r.value !== null);
        const refused = results.filter((r) => r.status === 'rejected');
        for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UserAlreadyExistsError);
        expect(won).toHaveLength(1);
        const owner = await f.users.findUserBy({ email: wanted });
        expect([a.id, b.id]).toContain(owner.id === a.id || owner.id === b.id ? owner.id : a.id);
      }
    });

    it('changes the password only from the hash checked, keeping the current session and ending the others', async () => {
      const user = await addUser('hash-1');
      const [current, other1, other2] = [newSession(user.id, NOW), newSession(user.id, NOW + 1), newSession(user.id, NOW + 2)];
      for (const s of [current, other1, other2]) expect(await f.sessions.open(s, 'hash-1')).toBe(true);
      expect(await f.accounts.changePassword(user.id, 'hash-0', 'hash-2', current.id)).toBeNull();
      const ended = await f.accounts.changePassword(user.id, 'hash-1', 'hash-2', current.id);
      expect(ended?.map((s) => s.id).sort()).toEqual([other1.id, other2.id].sort());
      expect((await f.users.findUserBy({ id: user.id })).hashedPassword).toBe('hash-2');
      expect(await f.sessions.findBySecretDigest(current.secretDigest)).not.toBeNull();
      expect(await f.sessions.findBySecretDigest(other1.secretDigest)).toBeNull();
    });

    it(`lets one of racing password changes win and keeps no session opened with the old hash (${LIFECYCLE_RACE_ROUNDS} rounds)`, async () => {
      let survived = 0;
      for (let round = 0; round < LIFECYCLE_RACE_ROUNDS; round++) {
        const user = await addUser('old');
        const current = newSession(user.id, NOW);
        await f.sessions.open(current, 'old');
        const logins = Array.from({ length: 3 }, () => newSession(user.id, NOW + 1));
        const results = await Promise.all([
          f.accounts.changePassword(user.id, 'old', 'new-a', current.id),
          f.accounts.changePassword(user.id, 'old', 'new-b', current.id),
          ...logins.map((s) => f.sessions.open(s, 'old')),
        ]);
        expect(results.slice(0, 2).filter((r) => r !== null)).toHaveLength(1);
        for (const s of logins) if (await f.sessions.findBySecretDigest(s.secretDigest)) survived++;
        expect(await f.sessions.findBySecretDigest(current.secretDigest)).not.toBeNull();
      }
      expect(survived).toBe(0);
    });

    it('deletes the user with sessions and links, digests the email in the audit trail, frees the address', async () => {
      const user = await addUser('hash-1');
      const session = newSession(user.id, NOW);
      await f.sessions.open(session, 'hash-1');
      const link = await issue(user.id, 'verify', user.email);
      if (f.passkeys) expect(await f.passkeys.add(newPasskey(user.id), 10)).toBe('added');
      await f.audit.record({ type: 'login_failed', occurredAt: NOW, userId: null, email: user.email, ip: null, userAgent: null });
      await f.audit.record({ type: 'login_succeeded', occurredAt: NOW, userId: user.id, email: user.email, ip: null, userAgent: null });
      expect(await f.accounts.deleteAccount(user.id, user.email, auditEmailDigest(user.email), 'hash-0')).toBe(false);
      expect(await f.accounts.deleteAccount(user.id, user.email, auditEmailDigest(user.email), 'hash-1')).toBe(true);
      await expect(f.users.findUserBy({ id: user.id })).rejects.toBeInstanceOf(NoResultFound);
      expect(await f.sessions.findBySecretDigest(session.secretDigest)).toBeNull();
      expect(await f.emailTokens.verify(link, NOW)).toBeNull();
      if (f.passkeys) expect(await f.passkeys.listForUser(user.id)).toEqual([]);
      // The operator's question "was this address deleted?" is asked with its digest.
      const trail = await f.audit.recent({ email: auditEmailDigest(user.email), limit: 10 });
      expect(trail.map((event) => event.type)).toEqual(['login_succeeded', 'login_failed']);
      for (const event of trail) expect(event.email).toBe(auditEmailDigest(user.email));
      expect(await f.audit.recent({ email: user.email, limit: 10 })).toEqual([]);
      expect((await f.users.addUser(user.email, 'hash-3')).id).not.toBe(user.id);
      expect(await f.accounts.deleteAccount(user.id, user.email, auditEmailDigest(user.email))).toBe(false);
    });

    it(`leaves no session of a deleted account when logins race the deletion (${LIFECYCLE_RACE_ROUNDS} rounds)`, async () => {
      let survived = 0;
      for (let round = 0; round < LIFECYCLE_RACE_ROUNDS; round++) {
        const user = await addUser('hash-1');
        const logins = Array.from({ length: 3 }, () => newSession(user.id, NOW));
        const results = await Promise.all([
          f.accounts.deleteAccount(user.id, user.email, auditEmailDigest(user.email), 'hash-1'),
          f.accounts.deleteAccount(user.id, user.email, auditEmailDigest(user.email), 'hash-1'),
          ...logins.map((s) => f.sessions.open(s, 'hash-1')),
        ]);
        expect(results.slice(0, 2).filter((r) => r === true)).toHaveLength(1);
        for (const s of logins) if (await f.sessions.findBySecretDigest(s.secretDigest)) survived++;
        expect(await f.sessions.listForUser(user.id)).toEqual([]);
      }
      expect(survived).toBe(0);
    });

    it('marks an address verified by an operator and tells when the account was created', async () => {
      const before = Date.now();
      const user = await addUser();
      expect(await f.accounts.markVerified(user.id, NOW)).toBe(true);
      expect((await f.users.findUserBy({ id: user.id })).emailVerifiedAt).toBe(NOW);
      expect(await f.accounts.markVerified(999_999, NOW)).toBe(false);
      expect(await f.accounts.registeredAt(user.id)).toBeGreaterThanOrEqual(before);
      expect(await f.accounts.registeredAt(999_999)).toBeNull();
    });
  });
}
