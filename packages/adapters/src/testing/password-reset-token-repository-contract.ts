import type { ContractTestApi } from './test-api';
import type { PasswordResetTokenRepository, StoredResetToken, UserRepository } from '@latchkey/domain';
import { NoResultFound } from '@latchkey/domain';

export interface ResetTokenFixture {
  users: UserRepository;
  tokens: PasswordResetTokenRepository;
  close?: () => Promise<void>;
}

/** Rounds of each race, run at once. */
export const RACE_ROUNDS = 25;

const NOW = 1_000_000;
const LATER = NOW + 60_000;
const KEEP = { now: NOW, keep: 3 };

let digests = 0;
function digest(): string {
  return (++digests).toString(16).padStart(64, 'a');
}

/** The behaviour every PasswordResetTokenRepository adapter must show, races included. */
export function passwordResetTokenRepositoryContract(
  { describe, it, expect, beforeEach, afterEach }: ContractTestApi,
  name: string,
  open: () => Promise<ResetTokenFixture>,
): void {
  describe(`PasswordResetTokenRepository contract: ${name}`, () => {
    let fixture: ResetTokenFixture;
    let users: UserRepository;
    let tokens: PasswordResetTokenRepository;
    let n = 0;

    beforeEach(async () => {
      fixture = await open();
      ({ users, tokens } = fixture);
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    const addUser = async () => (await users.addUser(`user${++n}@example.com`, 'hash')).id;
    const issue = async (userId: number, expiresAt = LATER): Promise<StoredResetToken> => {
      const token = { userId, digest: digest(), expiresAt };
      await tokens.issue(token, KEEP);
      return token;
    };
    const resetToken = async (userId: number) => (await users.findUserBy({ id: userId })).resetToken;

    it('issue names the newest token in the user\'s resetToken; consume returns it once and clears it', async () => {
      const userId = await addUser();
      const first = await issue(userId);
      const second = await issue(userId);
      expect(await resetToken(userId)).toBe(second.digest);
      expect((await users.findUserBy({ resetToken: second.digest })).id).toBe(userId);
      expect(await tokens.consume(first.digest, { now: NOW })).toEqual(first);
      expect(await tokens.consume(first.digest, { now: NOW })).toBeNull();
      expect(await resetToken(userId)).toBeNull();
      expect((await users.findUserBy({ id: userId })).resetTokenExpiresAt).toBeNull();
    });

    it('using one token ends every token of its user, and only of its user', async () => {
      const [bob, amy] = [await addUser(), await addUser()];
      const bobs = [await issue(bob), await issue(bob)];
      const amys = await issue(amy);
      expect(await tokens.consume(bobs[1]!.digest, { now: NOW })).not.toBeNull();
      expect(await tokens.consume(bobs[0]!.digest, { now: NOW })).toBeNull();
      expect(await tokens.consume(amys.digest, { now: NOW })).toEqual(amys);
    });

    it('an expired token is not consumed', async () => {
      const userId = await addUser();
      const token = await issue(userId, NOW + 10);
      expect(await tokens.consume(token.digest, { now: NOW + 10 })).toBeNull();
    });

    it('a token bound to another email is not consumed and keeps working', async () => {
      const [bob, amy] = [await addUser(), await addUser()];
      const token = await issue(bob);
      const amyEmail = (await users.findUserBy({ id: amy })).email;
      expect(await tokens.consume(token.digest, { now: NOW, email: amyEmail })).toBeNull();
      const bobEmail = (await users.findUserBy({ id: bob })).email;
      expect(await tokens.consume(token.digest, { now: NOW, email: ` ${bobEmail.toUpperCase()} ` })).toEqual(token);
    });

    it('keeps at most `keep` live tokens, dropping the oldest and the expired', async () => {
      const userId = await addUser();
      const expired = await issue(userId, NOW - 1);
      const issued = [];
      for (let i = 0; i < 4; i++) issued.push(await issue(userId));
      expect(await tokens.consume(expired.digest, { now: NOW - 10 })).toBeNull();
      expect(await tokens.consume(issued[0]!.digest, { now: NOW })).toBeNull();
      expect(await tokens.consume(issued[1]!.digest, { now: NOW })).toEqual(issued[1]);
    });

    it('issue raises NoResultFound for an unknown user', async () => {
      await expect(tokens.issue({ userId: 424242, digest: digest(), expiresAt: LATER }, KEEP)).rejects.toBeInstanceOf(NoResultFound);
    });

    it(`gives a token to exactly one of 4 concurrent consumes (${RACE_ROUNDS} rounds at once)`, async () => {
      const wins = await Promise.all(
        Array.from({ length: RACE_ROUNDS }, async () => {
          const token = await issue(await addUser());
          const results = await Promise.all(Array.from({ length: 4 }, () => tokens.consume(token.digest, { now: NOW })));
          return results.filter(Boolean).length;
        }),
      );
      expect(wins).toEqual(Array.from({ length: RACE_ROUNDS }, () => 1));
    });

    it(`lets one of two different tokens of a user win when both are used at once (${RACE_ROUNDS} rounds at once)`, async () => {
      const wins = await Promise.all(
        Array.from({ length: RACE_ROUNDS }, async () => {
          const userId = await addUser();
          const [a, b] = [await issue(userId), await issue(userId)];
          const results = await Promise.all([a, b].map((token) => tokens.consume(token.digest, { now: NOW })));
          return results.filter(Boolean).length;
        }),
      );
      expect(wins).toEqual(Array.from({ length: RACE_ROUNDS }, () => 1));
    });

    it(`keeps resetToken naming a live token when a token is issued while another is used (${RACE_ROUNDS} rounds at once)`, async () => {
      const outcomes = await Promise.all(
        Array.from({ length: RACE_ROUNDS }, async () => {
          const userId = await addUser();
          const older = await issue(userId);
          const newer = { userId, digest: digest(), expiresAt: LATER };
          const [consumed] = await Promise.all([tokens.consume(older.digest, { now: NOW }), tokens.issue(newer, KEEP)]);
          const named = await resetToken(userId);
          // The newer token was either issued after the use (it works, and is named) or
          // before it (the use ended it, and nothing is named).
          const newerWorks = (await tokens.consume(newer.digest, { now: NOW })) !== null;
          return { consumed: consumed !== null, consistent: newerWorks ? named === newer.digest : named === null };
        }),
      );
      expect(outcomes.every((o) => o.consumed && o.consistent)).toBe(true);
    });
  });
}
