import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnexAuditLog, KnexPasskeyRepository, createKnex, migrationSource } from '@latchkey/adapters';
import { newPasskey } from '@latchkey/adapters/testing';
import { createServices, loadConfig } from '@latchkey/runtime';
import { referenceTotp } from '../../../packages/adapters/test/support/totp-reference';
import { runInProcess } from './run-cli';

describe('latchkey commands on an SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-commands-'));
  const file = join(dir, 'users.db');
  const env = { NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${file}` };
  const outputs: string[] = [];
  const run = async (argv: string[], input = '', extraEnv: Record<string, string> = {}) => {
    const result = await runInProcess(argv, { ...env, ...extraEnv }, input);
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('before and after migrate', () => {
    it('reports a missing database instead of creating one', async () => {
      for (const argv of [['users', 'list'], ['migrate', 'status'], ['users', 'show', 'a@example.com']]) {
        const result = await run(argv);
        expect(result.code).toBe(4);
        expect(result.stderr).toBe(`latchkey: no database at ${file} (check DATABASE_URL; \`latchkey migrate\` creates one)\n`);
      }
      expect(existsSync(file)).toBe(false);
    });

    it('reports a database that lacks migrations', async () => {
      const knex = createKnex(env.DATABASE_URL);
      await knex.raw('select 1');
      await knex.destroy();
      const result = await run(['users', 'list']);
      expect(result).toMatchObject({ code: 4, stdout: '' });
      const migrations = (await migrationSource.getMigrations([])).length;
      expect(result.stderr).toBe(`latchkey: the database lacks ${migrations} migration(s): run \`latchkey migrate\` first\n`);
      const status = await run(['migrate', 'status', '--json']);
      expect(JSON.parse(status.stdout)).toEqual({ applied: [], pending: await migrationSource.getMigrations([]) });
    });

    it('migrates once, then says it is up to date', async () => {
      const names = await migrationSource.getMigrations([]);
      const first = await run(['migrate']);
      expect(first).toMatchObject({ code: 0, stdout: `applied ${names.length}: ${names.join(', ')}\n` });
      const again = await run(['migrate', '--json']);
      expect(JSON.parse(again.stdout)).toEqual({ applied: [] });
      const status = await run(['migrate', 'status']);
      expect(status.stdout.split('\n')[0]).toMatch(/^MIGRATION\s+STATE$/);
      for (const name of names) expect(status.stdout).toMatch(new RegExp(`^${name}\\s+applied$`, 'm'));
      expect((await run(['users', 'list'])).stdout).toBe('ID  EMAIL  SESSION\n0 users\n');
    });
  });

  describe('with users', () => {
    beforeAll(async () => {
      for (const email of ['ann@example.com', 'bob@example.com', 'cy@example.com']) {
        expect((await run(['users', 'add', email], `pw-of-${email}\r\n`)).code).toBe(0);
      }
    });

    it('adds with the first line of standard input and prints the new id', async () => {
      const result = await run(['users', 'add', ' Dee@Example.com '], 'first-line-pw\nsecond line\n');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^added\s+Dee@Example\.com\nid\s+4\n$/);
      const refused = await run(['users', 'add', 'dee@example.com'], 'other\n');
      expect(refused).toMatchObject({ code: 3, stderr: 'latchkey: dee@example.com is already registered\n' });
    });

    it('refuses an empty standard input and a password the policy refuses', async () => {
      expect(await run(['users', 'add', 'eve@example.com'], '')).toMatchObject({
        code: 2,
        stderr: 'latchkey: no password on standard input (run `latchkey users add --help`)\n',
      });
      expect(await run(['users', 'add', 'eve@example.com'], '\nlater\n')).toMatchObject({ code: 2 });
      const short = await run(['users', 'add', 'eve@example.com'], 'short\n', { PASSWORD_MIN_LENGTH: '8' });
      expect(short).toMatchObject({ code: 3, stderr: 'latchkey: Password must be at least 8 characters long\n' });
      expect((await run(['users', 'show', 'eve@example.com'])).code).toBe(1);
    });

    it('lists in id order, a page at a time', async () => {
      const page = await run(['users', 'list', '--limit', '2']);
      expect(page.stdout).toBe(
        ['ID  EMAIL            SESSION', '1   ann@example.com  -', '2   bob@example.com  -', '2 users; more may follow: --offset 2', ''].join('\n'),
      );
      const next = await run(['users', 'list', '--limit', '2', '--offset', '2', '--json']);
      expect(JSON.parse(next.stdout).map((user: { email: string }) => user.email)).toEqual(['cy@example.com', 'Dee@Example.com']);
      const last = await run(['users', 'list', '--offset=3']);
      expect(last.stdout).toMatch(/\n1 user\n$/);
    });

    it('issues a reset token and shows it as pending, without the digest', async () => {
      const issued = await run(['reset-token', 'BOB@example.com']);
      expect(issued.code).toBe(0);
      expect(issued.stdout).toMatch(
        /^email\s+bob@example\.com\nreset_token\s+[A-Za-z0-9_-]{43}\nexpires_at\s+\d{4}-\d\d-\d\dT[\d:.]+Z \(in 30 minutes\)\n$/,
      );
      const shown = await run(['users', 'show', 'bob@example.com', '--json']);
      expect(JSON.parse(shown.stdout)).toMatchObject({ email: 'bob@example.com', reset_token_pending: true, session_active: false });
      expect(shown.stdout).not.toMatch(/[0-9a-f]{64}/);
      const table = await run(['users', 'show', 'bob@example.com']);
      expect(table.stdout).toMatch(/^reset token\s+pending \(expires \d{4}-.+Z\)$/m);
      expect(table.stdout).toMatch(/^session\s+none$/m);
    });

    it('uses the configured reset token lifetime', async () => {
      const issued = await run(['reset-token', 'cy@example.com', '--json'], '', { RESET_TOKEN_TTL_SECONDS: '120' });
      const expiresAt = Date.parse(JSON.parse(issued.stdout).expires_at);
      expect(Math.abs(expiresAt - (Date.now() + 120_000))).toBeLessThan(10_000);
    });

    it('lists the sessions of a user and revokes one by its id, then the rest', async () => {
      // The server's services on the file the commands use: its sessions are what they list.
      const services = await createServices(loadConfig(env));
      const { auth } = services;
      const cookies = [await auth.createSession('cy@example.com'), await auth.createSession('cy@example.com')];
      try {
        const listed = await run(['sessions', 'list', 'cy@example.com', '--json']);
        const { sessions } = JSON.parse(listed.stdout) as { sessions: Array<{ id: string; second_factor: boolean }> };
        expect(sessions).toHaveLength(2);
        expect(sessions.map((session) => session.second_factor)).toEqual([false, false]);
        expect(listed.stdout).not.toMatch(/[0-9a-f]{64}/);
        const table = await run(['sessions', 'list', 'cy@example.com']);
        expect(table.stdout).toMatch(/^ID\s+CREATED\s+LAST SEEN\s+LOGIN\s+IP\s+USER AGENT\n/);
        expect(table.stdout).toMatch(/ password /);
        expect(table.stdout).toMatch(/\n2 sessions\n$/);
        const one = await run(['sessions', 'revoke', 'cy@example.com', '--id', sessions[1]!.id, '--json']);
        expect(JSON.parse(one.stdout)).toEqual({ email: 'cy@example.com', revoked: 1 });
        expect(await auth.getUserFromSessionId(cookies[0])).toBeNull();
        expect(await auth.getUserFromSessionId(cookies[1])).not.toBeNull();
        expect(await run(['sessions', 'revoke', 'cy@example.com', '--id', sessions[1]!.id])).toMatchObject({
          code: 1,
          stderr: 'latchkey: no such session of this user\n',
        });
        expect(JSON.parse((await run(['sessions', 'revoke', 'cy@example.com', '--json'])).stdout)).toEqual({ email: 'cy@example.com', revoked: 1 });
        expect(await auth.getUserFromSessionId(cookies[1])).toBeNull();
      } finally {
        await services.close();
      }
    });

    it('revokes nothing when there is no session, without failing', async () => {
      const result = await run(['sessions', 'revoke', 'ann@example.com', '--json']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(result.stdout)).toEqual({ email: 'ann@example.com', revoked: 0 });
    });

    it('leaves its changes in the audit trail, as the command line', async () => {
      const knex = createKnex(env.DATABASE_URL);
      try {
        const trail = await new KnexAuditLog(knex).recent({ email: 'bob@example.com', limit: 10 });
        expect(trail.map((event) => [event.type, event.userAgent, event.ip])).toEqual([
          ['reset_requested', 'latchkey-cli', null],
          ['register', 'latchkey-cli', null],
        ]);
      } finally {
        await knex.destroy();
      }
    });

    it('shows the audit trail of an email with events, most recent first', async () => {
      const result = await run(['events', 'BOB@example.com', '--json']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(result.stdout) as { email: string; events: Array<{ type: string; user_agent: string }> };
      expect(report.email).toBe('bob@example.com');
      expect(report.events.map((event) => [event.type, event.user_agent])).toEqual([
        ['reset_requested', 'latchkey-cli'],
        ['register', 'latchkey-cli'],
      ]);
      const text = await run(['events', 'bob@example.com', '--limit', '1']);
      expect(text.stdout).toMatch(/^bob@example\.com \(user 2\)\nTIME\s+EVENT\s+USER\s+IP\s+USER AGENT\n\S+Z\s+reset_requested\s+2\s+-\s+latchkey-cli\n$/);
    });

    it('answers an unknown email with exit code 1 on every command that takes one', async () => {
      for (const argv of [['users', 'show'], ['sessions', 'revoke'], ['reset-token'], ['events']]) {
        const result = await run([...argv, 'nobody@example.com', '--json']);
        expect(result, argv.join(' ')).toEqual({ code: 1, stdout: '', stderr: 'latchkey: no user with email nobody@example.com\n' });
      }
    });

    it('stops at a bad setting with a one-line message naming it', async () => {
      for (const [extra, message] of [
        [{ DATABASE_URL: 'mysql://db' }, 'latchkey: Invalid DATABASE_URL="mysql://db": use sqlite:<path>, sqlite::memory: or postgres://…\n'],
        [{ NODE_ENV: 'production' }, 'latchkey: Invalid BCRYPT_ROUNDS="4": must be at least 10 (lower only with NODE_ENV=test)\n'],
      ] as const) {
        expect(await run(['users', 'list'], '', extra)).toEqual({ code: 4, stdout: '', stderr: message });
      }
    });

    it('needs no Redis: the throttle store is for logins, which the CLI never does', async () => {
      const result = await run(['users', 'list', '--limit', '1'], '', { REDIS_URL: 'redis://127.0.0.1:1' });
      expect(result).toMatchObject({ code: 0, stderr: '' });
    });

    it('users mfa-reset removes a second factor and ends every session; users show tells whether one is set', async () => {
      const services = await createServices(loadConfig(env));
      const { auth } = services;
      const user = await auth.registerUser('totp@example.com', 'b4l0u');
      const { sessionId, session } = await auth.logins.login('totp@example.com', 'b4l0u');
      const { secret } = await auth.secondFactor.startEnrolment(user);
      await auth.secondFactor.enable(user, referenceTotp(secret, Date.now()), session.id);
      await services.close();
      expect((await run(['users', 'show', 'totp@example.com'])).stdout).toMatch(/^second factor\s+TOTP \(10 recovery codes left\)$/m);
      const reset = await run(['users', 'mfa-reset', 'totp@example.com', '--json']);
      expect(reset).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(reset.stdout)).toEqual({ email: 'totp@example.com', second_factor_removed: true });
      const shown = JSON.parse((await run(['users', 'show', 'totp@example.com', '--json'])).stdout) as Record<string, unknown>;
      expect(shown).toMatchObject({ second_factor: false, recovery_codes_left: 0, sessions: 0 });
      expect(await auth.getUserFromSessionId(sessionId).catch(() => 'closed')).toBe('closed');
      const events = (await run(['events', 'totp@example.com'])).stdout;
      expect(events).toContain('second_factor_reset_by_admin');
      expect((await run(['users', 'mfa-reset', 'totp@example.com'])).stdout).toMatch(/none was set/);
    });

    it('users show lists the passkeys; passkeys remove removes one by id or credential id, audited', async () => {
      const services = await createServices(loadConfig(env));
      const user = await services.auth.registerUser('keys@example.com', 'b4l0u');
      const passkeys = new KnexPasskeyRepository(services.knex);
      const laptop = newPasskey(user.id, { name: 'Laptop' });
      const phone = newPasskey(user.id, { name: 'Phone', lastUsedAt: Date.UTC(2026, 11, 3) });
      await passkeys.add(laptop, 10);
      await passkeys.add(phone, 10);
      await services.close();
      const shown = await run(['users', 'show', 'keys@example.com']);
      expect(shown.stdout).toMatch(/^passkeys\s+2$/m);
      expect(shown.stdout).toContain(`${laptop.id} "Laptop" (created `);
      expect(shown.stdout).toContain('last used 2026-12-03T00:00:00.000Z');
      const json = JSON.parse((await run(['users', 'show', 'keys@example.com', '--json'])).stdout) as { passkeys: Array<{ id: string; credential_id: string; name: string }> };
      expect(json.passkeys.map((p) => [p.id, p.credential_id, p.name])).toEqual([
        [laptop.id, laptop.credentialId, 'Laptop'],
        [phone.id, phone.credentialId, 'Phone'],
      ]);
      const removed = await run(['passkeys', 'remove', laptop.id, '--json']);
      expect(removed).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(removed.stdout)).toEqual({ id: laptop.id, credential_id: laptop.credentialId, user_id: user.id, name: 'Laptop', removed: true });
      expect((await run(['passkeys', 'remove', phone.credentialId])).stdout).toMatch(/^state\s+removed$/m);
      expect(await run(['passkeys', 'remove', laptop.id])).toMatchObject({ code: 1, stderr: 'latchkey: no such passkey\n' });
      expect((await run(['users', 'show', 'keys@example.com'])).stdout).toMatch(/^passkeys\s+none$/m);
      expect((await run(['events', 'keys@example.com'])).stdout.match(/passkey_removed/g)).toHaveLength(2);
    });

    it('never prints a password', () => {
      const printed = outputs.join('\n');
      for (const password of ['pw-of-ann@example.com', 'first-line-pw', 'short']) expect(printed).not.toContain(password);
    });
  });
});

describe('latchkey users verify, users delete and the events of a deleted account', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-lifecycle-'));
  const env = { NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, 'users.db')}`, EMAIL_VERIFICATION: 'required', MAIL_DIR: join(dir, 'mail') };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('marks an address verified, shows it with the creation time, deletes the account and finds its events by digest', async () => {
    expect((await runInProcess(['migrate'], env)).code).toBe(0);
    expect((await runInProcess(['users', 'add', 'dee@example.com'], env, 'pw-of-dee\r\n')).code).toBe(0);
    const before = JSON.parse((await runInProcess(['users', 'show', 'dee@example.com', '--json'], env)).stdout);
    expect(before).toMatchObject({ email: 'dee@example.com', email_verified: false, email_verified_at: null });
    expect(Date.parse(before.created_at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await runInProcess(['users', 'verify', 'dee@example.com'], env)).code).toBe(0);
    const shown = await runInProcess(['users', 'show', 'dee@example.com'], env);
    expect(shown.stdout).toMatch(/^email verified\s+yes \(\d{4}-.+Z\)$/m);
    expect(shown.stdout).toMatch(/^created\s+\d{4}-.+Z$/m);
    expect((await runInProcess(['users', 'verify', 'nobody@example.com'], env)).code).toBe(1);

    const deleted = await runInProcess(['users', 'delete', 'dee@example.com', '--json'], env);
    expect(JSON.parse(deleted.stdout)).toEqual({ email: 'dee@example.com', deleted: true, audit_email: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect((await runInProcess(['users', 'show', 'dee@example.com'], env)).code).toBe(1);
    expect((await runInProcess(['users', 'delete', 'dee@example.com'], env)).code).toBe(1);
    const trail = await runInProcess(['events', 'dee@example.com', '--json'], env);
    expect(JSON.parse(trail.stdout).events.map((event: { type: string }) => event.type)).toEqual(['account_deleted', 'email_verified', 'register']);
    expect((await runInProcess(['users', 'add', 'dee@example.com'], env, 'dee-anew-9\r\n')).code).toBe(0);
  });
});
