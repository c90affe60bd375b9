import type { ContractTestApi } from './test-api';
import type { UserRepository } from '@latchkey/domain';
import { InvalidRequestError, NoResultFound, UnknownAttributeError, UserAlreadyExistsError } from '@latchkey/domain';

export interface RepositoryFixture {
  repository: UserRepository;
  /** A second repository on the same storage, when the storage outlives one instance. */
  reopen?: () => Promise<UserRepository>;
  close?: () => Promise<void>;
}

/** The behaviour every UserRepository adapter must show (SPEC A2). */
export function userRepositoryContract(
  { describe, it, expect, beforeEach, afterEach }: ContractTestApi,
  name: string,
  open: () => Promise<RepositoryFixture>,
  { persistent = true }: { persistent?: boolean } = {},
): void {
  describe(`UserRepository contract: ${name}`, () => {
    let fixture: RepositoryFixture;
    let repo: UserRepository;

    beforeEach(async () => {
      fixture = await open();
      repo = fixture.repository;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('addUser saves and returns the user with an id and no reset token', async () => {
      const user = await repo.addUser('test@test.com', 'SuperHashedPwd');
      expect(typeof user.id).toBe('number');
      expect(user).toMatchObject({ email: 'test@test.com', hashedPassword: 'SuperHashedPwd', resetToken: null });
      const second = await repo.addUser('test1@test.com', 'SuperHashedPwd1');
      expect(second.id).not.toBe(user.id);
    });

    it('findUserBy finds by each attribute', async () => {
      const user = await repo.addUser('a@example.com', 'hash-a');
      await repo.addUser('b@example.com', 'hash-b');
      await repo.updateUser(user.id, { resetToken: 'tok-a', resetTokenExpiresAt: 30 });
      const filters = [
        { id: user.id },
        { email: 'a@example.com' },
        { hashedPassword: 'hash-a' },
        { resetToken: 'tok-a' },
        { resetTokenExpiresAt: 30 },
      ];
      for (const filter of filters) {
        const found = await repo.findUserBy(filter);
        expect({ filter, id: found.id }).toEqual({ filter, id: user.id });
      }
    });

    it('findUserBy matches every key of a filter', async () => {
      const a = await repo.addUser('a@example.com', 'same');
      const b = await repo.addUser('b@example.com', 'same');
      expect((await repo.findUserBy({ hashedPassword: 'same', email: 'b@example.com' })).id).toBe(b.id);
      expect((await repo.findUserBy({ hashedPassword: 'same' })).id).toBe(a.id);
      await expect(repo.findUserBy({ hashedPassword: 'same', email: 'c@example.com' })).rejects.toBeInstanceOf(NoResultFound);
    });

    it('findUserBy returns a user whose values are the stored ones', async () => {
      const user = await repo.addUser('x@example.com', 'hash');
      expect(await repo.findUserBy({ id: user.id })).toEqual(user);
    });

    it('findUserBy raises NoResultFound when nothing matches', async () => {
      await repo.addUser('a@example.com', 'hash');
      await expect(repo.findUserBy({ email: 'nobody@example.com' })).rejects.toBeInstanceOf(NoResultFound);
      await expect(repo.findUserBy({ id: 9999 })).rejects.toBeInstanceOf(NoResultFound);
    });

    it('findUserBy raises InvalidRequestError for an unknown key or an empty filter', async () => {
      await repo.addUser('a@example.com', 'hash');
      await expect(repo.findUserBy({ no_email: 'a@example.com' } as never)).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(repo.findUserBy({})).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it('finds emails regardless of case and surrounding spaces', async () => {
      const user = await repo.addUser('Mixed.Case@Example.com', 'hash');
      expect((await repo.findUserBy({ email: 'mixed.case@example.COM' })).id).toBe(user.id);
      expect((await repo.findUserBy({ email: ' mixed.case@example.com ' })).email).toBe('Mixed.Case@Example.com');
    });

    it('refuses a second user with the same email in another case', async () => {
      await repo.addUser('dup@example.com', 'hash');
      await expect(repo.addUser('DUP@example.com', 'hash')).rejects.toBeInstanceOf(UserAlreadyExistsError);
    });

    it('lets exactly one of concurrent adds of one email succeed', async () => {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => repo.addUser('race@example.com', 'hash')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(UserAlreadyExistsError);
      }
    });

    it('updateUser applies and persists the changes', async () => {
      const user = await repo.addUser('u@example.com', 'hash');
      await repo.updateUser(user.id, { hashedPassword: 'new-hash', resetToken: 'tok' });
      expect(await repo.findUserBy({ id: user.id })).toMatchObject({ hashedPassword: 'new-hash', resetToken: 'tok' });
      await repo.updateUser(user.id, { resetToken: null });
      expect((await repo.findUserBy({ id: user.id })).resetToken).toBeNull();
      expect((await repo.findUserBy({ resetToken: null, id: user.id })).id).toBe(user.id);
    });

    it('updateUser raises UnknownAttributeError for an unknown key and changes nothing', async () => {
      const user = await repo.addUser('u@example.com', 'hash');
      await expect(repo.updateUser(user.id, { hashedPassword: 'other', no_such_column: 'x' } as never)).rejects.toBeInstanceOf(
        UnknownAttributeError,
      );
      expect(await repo.findUserBy({ id: user.id })).toEqual(user);
    });

    it('updateUser raises NoResultFound for an unknown user', async () => {
      await expect(repo.updateUser(424242, { resetToken: 'x' })).rejects.toBeInstanceOf(NoResultFound);
    });

    it('rehashPassword replaces the hash only while it is the one given', async () => {
      const user = await repo.addUser('u@example.com', 'old-hash');
      expect(await repo.rehashPassword(user.id, 'other-hash', 'new-hash')).toBe(false);
      expect((await repo.findUserBy({ id: user.id })).hashedPassword).toBe('old-hash');
      expect(await repo.rehashPassword(user.id, 'old-hash', 'new-hash')).toBe(true);
      expect((await repo.findUserBy({ id: user.id })).hashedPassword).toBe('new-hash');
      expect(await repo.rehashPassword(424242, 'old-hash', 'x')).toBe(false);
    });

    it('listUsers returns no users from an empty storage', async () => {
      expect(await repo.listUsers({ limit: 10 })).toEqual([]);
    });

    it('listUsers returns the stored users in id order', async () => {
      const added = [];
      for (const email of ['c@example.com', 'a@example.com', 'b@example.com']) added.push(await repo.addUser(email, `hash-${email}`));
      await repo.updateUser(added[1]!.id, { resetToken: 'tok-a', resetTokenExpiresAt: 20 });
      added[1] = { ...added[1]!, resetToken: 'tok-a', resetTokenExpiresAt: 20 };
      const listed = await repo.listUsers({ limit: 10 });
      expect(listed).toEqual([...added].sort((x, y) => x.id - y.id));
    });

    it('listUsers pages with limit and offset', async () => {
      const added = [];
      for (let i = 0; i < 5; i++) added.push(await repo.addUser(`user${i}@example.com`, 'hash'));
      const ids = (users: { id: number }[]) => users.map((user) => user.id);
      expect(ids(await repo.listUsers({ limit: 2 }))).toEqual(ids(added.slice(0, 2)));
      expect(ids(await repo.listUsers({ limit: 2, offset: 2 }))).toEqual(ids(added.slice(2, 4)));
      expect(ids(await repo.listUsers({ limit: 2, offset: 4 }))).toEqual(ids(added.slice(4)));
      expect(await repo.listUsers({ limit: 2, offset: 5 })).toEqual([]);
      expect(await repo.listUsers({ limit: 0 })).toEqual([]);
    });

    it('listUsers pages after an id (a cursor that a deletion before it does not shift)', async () => {
      const added = [];
      for (let i = 0; i < 4; i++) added.push(await repo.addUser(`cursor${i}@example.com`, 'hash'));
      const ids = (users: { id: number }[]) => users.map((user) => user.id);
      expect(ids(await repo.listUsers({ limit: 2, afterId: added[0]!.id }))).toEqual(ids(added.slice(1, 3)));
      expect(ids(await repo.listUsers({ limit: 10, afterId: added[3]!.id }))).toEqual([]);
      await expect(repo.listUsers({ limit: 1, afterId: -1 })).rejects.toBeInstanceOf(RangeError);
    });

    it('listUsers refuses a negative or fractional limit or offset', async () => {
      await expect(repo.listUsers({ limit: -1 })).rejects.toBeInstanceOf(RangeError);
      await expect(repo.listUsers({ limit: 1.5 })).rejects.toBeInstanceOf(RangeError);
      await expect(repo.listUsers({ limit: 1, offset: -1 })).rejects.toBeInstanceOf(RangeError);
    });

    // Only storage that outlives its repository instance has this to show.
    if (persistent) {
      it('keeps users in a new repository instance on the same storage', async () => {
        const user = await repo.addUser('kept@example.com', 'hash');
        await repo.updateUser(user.id, { resetToken: 'tok-kept' });
        const reopened = await fixture.reopen!();
        expect(await reopened.findUserBy({ email: 'kept@example.com' })).toEqual({ ...user, resetToken: 'tok-kept' });
      });
    }
  });
}
