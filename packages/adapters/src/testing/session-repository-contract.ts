import { randomBytes } from 'node:crypto';
import type { ContractTestApi } from './test-api';
import type { Session, SessionRepository, UserRepository } from '@latchkey/domain';
import { digestSecret, newSessionId } from '@latchkey/domain';

export interface SessionStoreFixture {
  users: UserRepository;
  sessions: SessionRepository;
  close?: () => Promise<void>;
}

/** Rounds of each race; every round runs its steps concurrently. */
export const RACE_ROUNDS = 40;

export function newSession(userId: number, at: number, overrides: Partial<Session> = {}): Session {
  return {
    id: newSessionId(),
    userId,
    secretDigest: digestSecret(randomBytes(32).toString('base64url')),
    createdAt: at,
    lastSeenAt: at,
    ip: '203.0.113.7',
    userAgent: 'contract-test',
    strength: 'password',
    ...overrides,
  };
}

/** The behaviour every SessionRepository adapter must show, races included. */
export function sessionRepositoryContract(
  { describe, it, expect, beforeEach, afterEach }: ContractTestApi,
  name: string,
  open: () => Promise<SessionStoreFixture>,
): void {
  describe(`SessionRepository contract: ${name}`, () => {
    let fixture: SessionStoreFixture;
    let users: UserRepository;
    let sessions: SessionRepository;
    const T = Date.UTC(2026, 10, 25);

    beforeEach(async () => {
      fixture = await open();
      users = fixture.users;
      sessions = fixture.sessions;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    async function userWithSessions(email: string, count: number, hash = 'hash-1') {
      const user = await users.addUser(email, hash);
      const opened: Session[] = [];
      for (let i = 0; i < count; i++) {
        const session = newSession(user.id, T + i * 1000);
        expect(await sessions.open(session, hash)).toBe(true);
        opened.push(session);
      }
      return { user, opened };
    }

    it('opens a session and finds it, with its user, by the digest of its secret', async () => {
      const { user, opened } = await userWithSessions('a@example.com', 1);
      const found = await sessions.findBySecretDigest(opened[0]!.secretDigest);
      expect(found?.session).toEqual(opened[0]);
      expect(found?.user).toEqual(user);
      expect(await sessions.findBySecretDigest(digestSecret('no such secret'))).toBeNull();
    });

    it('opens nothing when the password hash is no longer the one checked, or the user is unknown', async () => {
      const user = await users.addUser('a@example.com', 'hash-2');
      const stale = newSession(user.id, T);
      expect(await sessions.open(stale, 'hash-1')).toBe(false);
      expect(await sessions.findBySecretDigest(stale.secretDigest)).toBeNull();
      expect(await sessions.open(newSession(424242, T), 'hash-2')).toBe(false);
      expect(await sessions.listForUser(user.id)).toEqual([]);
    });

    it('touches only a session last seen before the bound', async () => {
      const { opened } = await userWithSessions('a@example.com', 1);
      const [session] = opened;
      await sessions.touch(session!.id, T + 30_000, T);
      expect((await sessions.findBySecretDigest(session!.secretDigest))?.session.lastSeenAt).toBe(T);
      await sessions.touch(session!.id, T + 60_000, T + 1);
      expect((await sessions.findBySecretDigest(session!.secretDigest))?.session.lastSeenAt).toBe(T + 60_000);
    });

    it("lists a user's sessions, most recently used first, and no one else's", async () => {
      const { user, opened } = await userWithSessions('a@example.com', 3);
      await userWithSessions('b@example.com', 2);
      await sessions.touch(opened[0]!.id, T + 10_000, T + 10_000);
      const listed = await sessions.listForUser(user.id);
      expect(listed.map((s) => s.id)).toEqual([opened[0]!.id, opened[2]!.id, opened[1]!.id]);
    });

    it("ends one of the user's sessions, and never another user's", async () => {
      const a = await userWithSessions('a@example.com', 2);
      const b = await userWithSessions('b@example.com', 1);
      expect(await sessions.end(a.user.id, b.opened[0]!.id)).toBeNull();
      expect(await sessions.findBySecretDigest(b.opened[0]!.secretDigest)).not.toBeNull();
      expect((await sessions.end(a.user.id, a.opened[0]!.id))?.id).toBe(a.opened[0]!.id);
      expect(await sessions.end(a.user.id, a.opened[0]!.id)).toBeNull();
      expect(await sessions.findBySecretDigest(a.opened[0]!.secretDigest)).toBeNull();
      expect((await sessions.listForUser(a.user.id)).map((s) => s.id)).toEqual([a.opened[1]!.id]);
    });

    it('ends all but one, or all, of a user’s sessions and says which', async () => {
      const a = await userWithSessions('a@example.com', 3);
      const b = await userWithSessions('b@example.com', 1);
      const others = await sessions.endAllBut(a.user.id, a.opened[1]!.id);
      expect(others.map((s) => s.id).sort()).toEqual([a.opened[0]!.id, a.opened[2]!.id].sort());
      expect((await sessions.listForUser(a.user.id)).map((s) => s.id)).toEqual([a.opened[1]!.id]);
      expect((await sessions.endAll(a.user.id)).map((s) => s.id)).toEqual([a.opened[1]!.id]);
      expect(await sessions.listForUser(a.user.id)).toEqual([]);
      expect(await sessions.listForUser(b.user.id)).toHaveLength(1);
    });

    it('ends the least recently used sessions beyond a number kept', async () => {
      const { user, opened } = await userWithSessions('a@example.com', 4);
      await sessions.touch(opened[0]!.id, T + 60_000, T + 60_000);
      const ended = await sessions.endBeyond(user.id, 2);
      expect(ended.map((s) => s.id).sort()).toEqual([opened[1]!.id, opened[2]!.id].sort());
      expect((await sessions.listForUser(user.id)).map((s) => s.id)).toEqual([opened[0]!.id, opened[3]!.id]);
      expect(await sessions.endBeyond(user.id, 2)).toEqual([]);
    });

    it('changes the password and ends every session of the user at once', async () => {
      const a = await userWithSessions('a@example.com', 2);
      const b = await userWithSessions('b@example.com', 1);
      const ended = await sessions.changePassword(a.user.id, 'hash-new');
      expect(ended).toHaveLength(2);
      expect((await users.findUserBy({ id: a.user.id })).hashedPassword).toBe('hash-new');
      expect(await sessions.listForUser(a.user.id)).toEqual([]);
      expect(await sessions.open(newSession(a.user.id, T), 'hash-1')).toBe(false);
      expect(await sessions.open(newSession(a.user.id, T), 'hash-new')).toBe(true);
      expect(await sessions.listForUser(b.user.id)).toHaveLength(1);
    });

    it('deletes expired sessions, at most the number asked at a time', async () => {
      const { user, opened } = await userWithSessions('a@example.com', 5);
      // Last seen at or before T+3500: the 2nd, 3rd and 4th (the 1st was used since).
      await sessions.touch(opened[0]!.id, T + 10_000, T + 10_000);
      const first = await sessions.deleteExpired({ createdBefore: T - 1, lastSeenBefore: T + 3500, limit: 2 });
      expect(first).toHaveLength(2);
      const second = await sessions.deleteExpired({ createdBefore: T - 1, lastSeenBefore: T + 3500, limit: 2 });
      expect(second).toHaveLength(1);
      expect(await sessions.deleteExpired({ createdBefore: T - 1, lastSeenBefore: T + 3500, limit: 2 })).toEqual([]);
      expect((await sessions.listForUser(user.id)).map((s) => s.id).sort()).toEqual([opened[0]!.id, opened[4]!.id].sort());
      expect(await sessions.deleteExpired({ createdBefore: T, lastSeenBefore: 0, limit: 10 })).toHaveLength(1);
    });

    it(`lets racing sweeps each take at most their limit, never the same session (${RACE_ROUNDS} rounds)`, async () => {
      const { user } = await userWithSessions('sweep@example.com', 0);
      for (let round = 0; round < RACE_ROUNDS; round++) {
        for (let i = 0; i < 7; i++) expect(await sessions.open(newSession(user.id, T), 'hash-1')).toBe(true);
        const sweeps = await Promise.all(
          Array.from({ length: 3 }, () => sessions.deleteExpired({ createdBefore: T, lastSeenBefore: 0, limit: 2 })),
        );
        for (const swept of sweeps) expect(swept.length).toBeLessThanOrEqual(2);
        const ids = sweeps.flat().map((s) => s.id);
        expect(new Set(ids).size).toBe(ids.length);
        await sessions.deleteExpired({ createdBefore: T, lastSeenBefore: 0, limit: 100 });
      }
    });

    it(`never keeps a session opened with a password that a concurrent change replaced (${RACE_ROUNDS} rounds)`, async () => {
      const user = await users.addUser('race@example.com', 'hash-0');
      let survived = 0;
      let opened = 0;
      for (let round = 0; round < RACE_ROUNDS; round++) {
        const old = `hash-${round}`;
        const logins = Array.from({ length: 3 }, () => newSession(user.id, T));
        const results = await Promise.all([
          ...logins.map((session) => sessions.open(session, old)),
          sessions.changePassword(user.id, `hash-${round + 1}`),
        ]);
        opened += results.slice(0, logins.length).filter((result) => result === true).length;
        for (const session of logins) if (await sessions.findBySecretDigest(session.secretDigest)) survived++;
      }
      expect(survived).toBe(0);
      expect(opened).toBeGreaterThanOrEqual(0);
    });

    it(`never resurrects an ended session by touching, capping or listing (${RACE_ROUNDS} rounds)`, async () => {
      const { user } = await userWithSessions('race@example.com', 0);
      for (let round = 0; round < RACE_ROUNDS; round++) {
        const batch = Array.from({ length: 4 }, (_, i) => newSession(user.id, T + round * 10_000 + i));
        await Promise.all(batch.map((session) => sessions.open(session, 'hash-1')));
        const at = T + round * 10_000 + 5_000;
        await Promise.all([
          ...batch.map((session) => sessions.touch(session.id, at, at)),
          sessions.endBeyond(user.id, 2),
          sessions.listForUser(user.id),
          sessions.endAllBut(user.id, batch[0]!.id),
          sessions.end(user.id, batch[0]!.id),
          ...batch.map((session) => sessions.touch(session.id, at + 1, at + 1)),
        ]);
        expect(await sessions.listForUser(user.id)).toEqual([]);
        for (const session of batch) expect(await sessions.findBySecretDigest(session.secretDigest)).toBeNull();
      }
    });

    it(`keeps at most the cap while logins open sessions concurrently (${RACE_ROUNDS} rounds)`, async () => {
      const { user } = await userWithSessions('race@example.com', 0);
      for (let round = 0; round < RACE_ROUNDS; round++) {
        await Promise.all(
          Array.from({ length: 6 }, async (_, i) => {
            await sessions.open(newSession(user.id, T + round * 10 + i), 'hash-1');
            await sessions.endBeyond(user.id, 3);
          }),
        );
        expect((await sessions.listForUser(user.id)).length).toBeLessThanOrEqual(3);
      }
    });
  });
}
