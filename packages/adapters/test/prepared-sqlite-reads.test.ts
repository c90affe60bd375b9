import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { NoResultFound } from '@latchkey/domain';
import { KnexUserRepository, createKnex, migrateToLatest } from '../src';
import { sqliteReaderOf } from '../src/knex/sqlite-reader';

async function settled<T>(read: Promise<T>): Promise<'pending' | 'settled'> {
  const marker = Symbol('pending');
  const first = await Promise.race([read.then(() => 'settled' as const, () => 'settled' as const), new Promise<typeof marker>((resolve) => setTimeout(() => resolve(marker), 50))]);
  return first === marker ? 'pending' : first;
}

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

describe('prepared reads on a better-sqlite3 file', () => {
  it('read the committed rows while a Knex transaction is open, without waiting for it, and never its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-reads-'));
    const knex = createKnex(`sqlite:${join(dir, 'reads.db')}`);
    try {
      await migrateToLatest(knex);
      const repo = new KnexUserRepository(knex);
      const user = await repo.addUser('t@example.com', 'hash');
      await repo.findUserBy({ id: user.id });

      const trx = await knex.transaction();
      await trx('users').where('id', user.id).update({ reset_token: 'uncommitted', email: 'u@example.com', email_normalized: 'u@example.com' });
      const uncommitted = repo.findUserBy({ resetToken: 'uncommitted' });
      const committed = repo.findUserBy({ email: 't@example.com' });
      expect(await settled(committed)).toBe('settled');
      expect((await committed).id).toBe(user.id);
      await expect(uncommitted).rejects.toBeInstanceOf(NoResultFound);
      await trx.commit();
      expect((await repo.findUserBy({ resetToken: 'uncommitted' })).email).toBe('u@example.com');
    } finally {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close the read-only connection with the pool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-reads-'));
    const knex = createKnex(`sqlite:${join(dir, 'reads.db')}`);
    try {
      await migrateToLatest(knex);
      const connection = (await knex.client.acquireConnection()) as Database;
      await knex.client.releaseConnection(connection);
      const reader = sqliteReaderOf(connection);
      expect(reader?.readonly).toBe(true);
      expect(reader?.name).toBe(connection.name);
      await knex.destroy();
      expect(reader?.open).toBe(false);
      expect(sqliteReaderOf(connection)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('have none in memory, where a transaction makes them wait for the pool', async () => {
    const knex = createKnex('sqlite::memory:');
    const connection = (await knex.client.acquireConnection()) as Database;
    await knex.client.releaseConnection(connection);
    expect(sqliteReaderOf(connection)).toBeUndefined();
    await knex.destroy();
  });
});
