import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnexAccountRepository, KnexUserRepository, SQLITE_DRIVERS, createKnex, migrateToLatest } from '../src';

// The EmailTokenRepository and AccountRepository contract runs on every backend in contracts.test.ts.

describe('deleting an account on SQLite', () => {
  it.each(SQLITE_DRIVERS)('leaves none of its second factor behind: no sealed secret, recovery code or pending login (%s)', async (driver) => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-delete-'));
    const knex = createKnex(`sqlite:${join(dir, 'delete.db')}?driver=${driver}`);
    try {
      await migrateToLatest(knex);
      const users = new KnexUserRepository(knex);
      const user = await users.addUser('gone@example.com', 'hash');
      await knex('second_factors').insert({ user_id: user.id, sealed_secret: 'sealed', created_at: 1, enabled_at: 1 });
      await knex('recovery_codes').insert({ user_id: user.id, code_digest: 'd'.repeat(64) });
      await knex('pending_logins').insert({ token_digest: 'p'.repeat(64), user_id: user.id, credential: 'hash', created_at: 1, expires_at: 2 });
      expect(await new KnexAccountRepository(knex).deleteAccount(user.id, user.email, 'sha256:x')).toBe(true);
      for (const table of ['second_factors', 'recovery_codes', 'pending_logins']) {
        expect(await knex(table).where('user_id', user.id).count({ n: '*' }).first()).toMatchObject({ n: 0 });
      }
    } finally {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
