import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInTerminal, runCliProcess, terminalAvailable } from '../cli-process';
import type { CliRun } from '../cli-process';
import { freePort, startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

const FIRST_PASSWORD = 'cli-first-Pa55';
const NEW_PASSWORD = 'cli-reset-Pa55';
const TTY_PASSWORD = 'cli-typed-Pa55';
const PASSWORDS = [FIRST_PASSWORD, NEW_PASSWORD, TTY_PASSWORD];

// Each test starts CLI processes (tsx, drivers): generous time for a loaded machine.
describe('the latchkey CLI beside a running server, on one SQLite file', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`, NODE_ENV: 'test', BCRYPT_ROUNDS: '4' };
  const argvs: string[][] = [];
  const outputs: string[] = [];
  let server: ServerProcess;

  const cli = async (args: string[], input?: string, extraEnv: Record<string, string> = {}): Promise<CliRun> => {
    argvs.push(args);
    const run = await runCliProcess(args, { env: { ...env, ...extraEnv }, input });
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  const api = (path: string, method = 'GET', fields?: Record<string, string>, cookie?: string) =>
    fetch(`${server.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(cookie ? { cookie } : {}),
      },
      body: fields ? new URLSearchParams(fields).toString() : undefined,
    });
  const login = async (email: string, password: string) => {
    const response = await api('/sessions', 'POST', { email, password });
    return { status: response.status, cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]! };
  };

  beforeAll(async () => {
    server = await startServerProcess(env);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let cookie = '';

  it('adds a user, reading the password from standard input, who then logs in through the API', async () => {
    const added = await cli(['users', 'add', 'ada@example.com', '--json'], `${FIRST_PASSWORD}\n`);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(added.stdout)).toEqual({ id: expect.any(Number), email: 'ada@example.com' });
    const session = await login('ada@example.com', FIRST_PASSWORD);
    expect(session.status).toBe(200);
    expect(session.cookie).toMatch(/^session_id=.+/);
    cookie = session.cookie;
  });

  it('shows the user with the session the API opened, and no secret', async () => {
    const shown = await cli(['users', 'show', 'ADA@example.com', '--json']);
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout);
    expect(view).toMatchObject({ email: 'ada@example.com', session_active: true, reset_token_pending: false });
    expect(Date.parse(view.session_started_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(shown.stdout).not.toMatch(/\$2[aby]\$/);
    expect(shown.stdout).not.toMatch(/[0-9a-f]{64}/);
  });

  it('revokes the session: the API answers 403 on /profile at once', async () => {
    expect((await api('/profile', 'GET', undefined, cookie)).status).toBe(200);
    const revoked = await cli(['sessions', 'revoke', 'ada@example.com', '--json']);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ email: 'ada@example.com', revoked: 1 });
    expect((await api('/profile', 'GET', undefined, cookie)).status).toBe(403);
  });

  it('prints a reset token, with its expiry, that sets a new password through PUT /reset_password', async () => {
    const issued = await cli(['reset-token', 'ada@example.com', '--json']);
    expect(issued.code).toBe(0);
    const { email, reset_token: token, expires_at: expiresAt } = JSON.parse(issued.stdout);
    expect(email).toBe('ada@example.com');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // RESET_TOKEN_TTL_SECONDS defaults to 30 minutes.
    expect(Math.abs(Date.parse(expiresAt) - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);
    const reset = await api('/reset_password', 'PUT', { email, reset_token: token, new_password: NEW_PASSWORD });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ email, message: 'Password updated' });
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    expect((await login(email, FIRST_PASSWORD)).status).toBe(401);
  });

  it.skipIf(!terminalAvailable())('asks twice at a terminal and echoes nothing typed', async () => {
    const typed = `${TTY_PASSWORD}\r`;
    const [added, mismatch] = await Promise.all([
      runCliInTerminal(
        ['users', 'add', 'tty@example.com'],
        [
          { prompt: 'Password: ', keys: typed },
          { prompt: 'Repeat password: ', keys: typed },
        ],
        env,
      ),
      runCliInTerminal(
        ['users', 'add', 'typo@example.com'],
        [
          { prompt: 'Password: ', keys: typed },
          { prompt: 'Repeat password: ', keys: `x${typed}` },
        ],
        env,
      ),
    ]);
    outputs.push(added.output, mismatch.output);
    expect(added.code).toBe(0);
    expect(added.output).toMatch(/added\s+tty@example\.com/);
    expect((await login('tty@example.com', TTY_PASSWORD)).status).toBe(200);
    expect(mismatch.code).toBe(3);
    expect(mismatch.output).toContain('latchkey: the passwords do not match');
  });

  it('answers mistakes with one line on stderr and the documented exit code', async () => {
    // The whole list of mistakes runs in-process (apps/cli/test); these prove the real exit codes.
    const cases: Array<[string[], number, RegExp, Record<string, string>?]> = [
      [['users', 'show', 'nobody@example.com'], 1, /^latchkey: no user with email nobody@example\.com$/],
      [['users', 'add', 'ada@example.com', '--password', 'on-the-command-line'], 2, /unknown option '--password'/],
      [
        ['users', 'list', '--json'],
        4,
        /^latchkey: cannot complete the command: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
        { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/latchkey` },
      ],
    ];
    const runs = await Promise.all(cases.map(([args, , , extra]) => cli(args, `${FIRST_PASSWORD}\n`, extra)));
    runs.forEach((run, index) => {
      const [args, code, message] = cases[index]!;
      expect(run.code, args.join(' ')).toBe(code);
      expect(run.stdout, args.join(' ')).toBe('');
      expect(run.stderr.split('\n'), args.join(' ')).toHaveLength(2);
      expect(run.stderr.trimEnd(), args.join(' ')).toMatch(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    });
  });

  it('keeps passwords out of argv, output and the server log', () => {
    const seen = [...argvs.flat(), ...outputs, server.output()].join('\n');
    for (const password of PASSWORDS) expect(seen).not.toContain(password);
    expect(outputs.length).toBeGreaterThanOrEqual(12);
  });
});
