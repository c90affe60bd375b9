import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BcryptPasswordHasher, KnexAuditLog, KnexPasswordResetTokenRepository, KnexSessionRepository, KnexUserRepository, createKnex, migrateToLatest } from '@latchkey/adapters';
import { AuthService } from '@latchkey/domain';
import { eventsReport, formatEvent, parseEventsArgs } from '../events';
import { ROOT } from '../server-process';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-events-'));
const databaseUrl = `sqlite:${join(dir, 'latchkey.db')}`;
let userId = 0;

beforeAll(async () => {
  const knex = createKnex(databaseUrl);
  await migrateToLatest(knex);
  const auth = new AuthService({
    users: new KnexUserRepository(knex),
    resetTokens: new KnexPasswordResetTokenRepository(knex),
    sessions: new KnexSessionRepository(knex),
    hasher: new BcryptPasswordHasher(4),
    audit: new KnexAuditLog(knex),
  });
  const client = { ip: '198.51.100.4', userAgent: 'curl/8.5.0' };
  userId = (await auth.registerUser('Bob@Example.com', 'b4l0u', client)).id;
  await auth.login('bob@example.com', 'wrong', client).catch(() => {});
  await auth.login('bob@example.com', 'b4l0u', { ip: '198.51.100.5' });
  await auth.destroySession(userId, client);
  await auth.registerUser('other@example.com', 'b4l0u', client);
  await knex.destroy();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run events', () => {
  it('prints the recent events of an email, most recent first', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/events.ts', 'BOB@example.com', '--limit', '3'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Last 3 events for Bob@Example.com (user ${userId}), most recent first:`);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(1))).toEqual([
      ['logout', `user ${userId}`, '198.51.100.4', 'curl/8.5.0'],
      ['login_succeeded', `user ${userId}`, '198.51.100.5', '-'],
      ['login_failed', `user ${userId}`, '198.51.100.4', 'curl/8.5.0'],
    ]);
    for (const line of lines.slice(1)) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}/);
  });

  it('says so for an email with no events', async () => {
    expect(await eventsReport(databaseUrl, { email: 'ghost@example.com', limit: 20 })).toEqual(['No events for ghost@example.com (no such user).']);
  });

  it('reads its arguments, and refuses what it cannot use', () => {
    expect(parseEventsArgs(['a@example.com'])).toEqual({ email: 'a@example.com', limit: 20 });
    expect(parseEventsArgs(['--limit', '5', 'a@example.com'])).toEqual({ email: 'a@example.com', limit: 5 });
    for (const args of [[], ['--limit', '5'], ['a@example.com', '--limit', 'x'], ['a@example.com', '--limit', '0'], ['a@example.com', 'b@example.com']]) {
      expect(parseEventsArgs(args), args.join(' ')).toBeNull();
    }
  });

  it('writes "-" for what is unknown', () => {
    const line = formatEvent({ id: 1, type: 'login_throttled', occurredAt: Date.UTC(2026, 10, 25), userId: null, email: 'x@example.com', ip: null, userAgent: null });
    expect(line.split(/\s{2,}/)).toEqual(['2026-11-25T00:00:00.000Z', 'login_throttled', 'user -', '-', '-']);
  });
});
