import { describe, expect, it } from 'vitest';
import { NoResultFound } from '@latchkey/domain';
import { KnexUserRepository, createKnex, migrateToLatest } from '../src';

describe('prepared reads on better-sqlite3', () => {
  it('never see the uncommitted rows of an open Knex transaction', async () => {
    const knex = createKnex('sqlite::memory:');
    await migrateToLatest(knex);
    const repo = new KnexUserRepository(knex);
    const user = await repo.addUser('t@example.com', 'hash');
    await repo.findUserBy({ id: user.id });

    const trx = await knex.transaction();
    await trx('users').where('id', user.id).update({ reset_token: 'uncommitted' });
    const read = repo.findUserBy({ resetToken: 'uncommitted' });
    await trx.rollback();
    await expect(read).rejects.toBeInstanceOf(NoResultFound);

    const committed = await knex.transaction();
    await committed('users').where('id', user.id).update({ reset_token: 'committed' });
    const after = repo.findUserBy({ resetToken: 'committed' });
    await committed.commit();
    expect((await after).id).toBe(user.id);
    await knex.destroy();
  });

  it('keep working after the pool replaces its connection', async () => {
    const knex = createKnex('sqlite::memory:');
    await migrateToLatest(knex);
    const repo = new KnexUserRepository(knex);
    await repo.addUser('a@example.com', 'hash');
    await repo.findUserBy({ email: 'a@example.com' });
    // A new pool (and connection) on the same Knex: the old connection is closed.
    await knex.destroy();
    knex.initialize();
    await migrateToLatest(knex);
    await expect(repo.findUserBy({ email: 'a@example.com' })).rejects.toBeInstanceOf(NoResultFound);
    await repo.addUser('b@example.com', 'hash');
    expect((await repo.findUserBy({ email: 'b@example.com' })).email).toBe('b@example.com');
    await knex.destroy();
  });
});
