import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BcryptPasswordHasher, createKnex, migrationConfig } from '@latchkey/adapters';
import type { Knex } from '@latchkey/adapters';
import { digestSecret, newSecret } from '@latchkey/domain';
import { checkPostgres, createScratchDatabase } from '../../../packages/adapters/test/real-services';
import type { ScratchDatabase } from '../../../packages/adapters/test/real-services';
import { startTestServer } from './harness';

const postgres = await checkPostgres();
const PREVIOUS_RELEASE_MIGRATIONS = 2;

/**
 * What the previous release left in a database: its two migrations, and a user logged in
 * the way its KnexUserRepository stored a login (the cookie's digest in users.session_id).
 */
async function previousReleaseWithLogin(databaseUrl: string): Promise<{ cookie: string; loginAt: number }> {
  const knex = createKnex(databaseUrl);
  try {
    for (let i = 0; i < PREVIOUS_RELEASE_MIGRATIONS; i++) await knex.migrate.up(migrationConfig);
    const hashed = await new BcryptPasswordHasher(4).hash('b4l0u');
    const cookie = newSecret();
    const loginAt = Date.now() - 3_600_000;
    await knex('users').insert({ email: 'Bob@example.com', email_normalized: 'bob@example.com', hashed_password: hashed, created_at: loginAt });
    await knex('users').insert({ email: 'ann@example.com', email_normalized: 'ann@example.com', hashed_password: hashed, created_at: loginAt });
    await knex('users')
      .where('email_normalized', 'bob@example.com')
      .update({ session_id: digestSecret(cookie), session_created_at: loginAt, session_seen_at: loginAt + 60_000 });
    return { cookie, loginAt };
  } finally {
    await knex.destroy();
  }
}

function upgradeScenario(name: string, newDatabase: () => Promise<{ url: string; drop(): Promise<void> }>): void {
  describe(`upgrading a database of the previous release (${name})`, () => {
    let database: { url: string; drop(): Promise<void> };
    beforeAll(async () => {
      database = await newDatabase();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('keeps the login: /profile answers 200 with the old cookie, and rolling back restores session_id', async () => {
      const { cookie, loginAt } = await previousReleaseWithLogin(database.url);
      const server = await startTestServer({}, { databaseUrl: database.url });
      try {
        const profile = await fetch(`${server.url}/profile`, { headers: { cookie: `session_id=${cookie}` } });
        const body = await profile.json();
        console.info(`upgrade (${name}): GET /profile with the cookie of the previous release → ${profile.status} ${JSON.stringify(body)}`);
        expect([profile.status, body]).toEqual([200, { email: 'Bob@example.com' }]);
        const listed = await fetch(`${server.url}/sessions`, { headers: { cookie: `session_id=${cookie}` } });
        const { sessions } = (await listed.json()) as { sessions: Array<{ created_at: string; current: boolean }> };
        expect(sessions).toHaveLength(1);
        expect(sessions[0]).toMatchObject({ created_at: new Date(loginAt).toISOString(), current: true });
        expect(await server.knex.schema.hasColumn('users', 'session_id')).toBe(false);
      } finally {
        await server.close();
      }
      await expectRollbackRestores(database.url, cookie, loginAt);
    });
  });
}

async function expectRollbackRestores(databaseUrl: string, cookie: string, loginAt: number): Promise<void> {
  const knex: Knex = createKnex(databaseUrl);
  try {
    // Back past every later migration, one at a time, then out of the sessions table (003).
    for (let undone = 0; undone < 20 && (await knex.schema.hasTable('sessions')); undone++) await knex.migrate.down(migrationConfig);
    expect(await knex.schema.hasTable('sessions')).toBe(false);
    const rows = await knex('users').select('email', 'session_id', 'session_created_at').orderBy('id');
    expect(rows.map((row) => [row.email, row.session_id, row.session_created_at === null ? null : Number(row.session_created_at)])).toEqual([
      ['Bob@example.com', digestSecret(cookie), loginAt],
      ['ann@example.com', null, null],
    ]);
  } finally {
    await knex.destroy();
  }
}

upgradeScenario('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-upgrade-'));
  return { url: `sqlite:${join(dir, 'latchkey.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
});

upgradeScenario('SQLite, sqlite3 driver', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-upgrade-'));
  return { url: `sqlite:${join(dir, 'latchkey.db')}?driver=sqlite3`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
});

if (postgres.available) upgradeScenario('PostgreSQL', (): Promise<ScratchDatabase> => createScratchDatabase());
