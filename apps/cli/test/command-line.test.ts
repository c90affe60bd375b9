import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index';
import { runInProcess } from './run-cli';

describe('latchkey command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-args-'));
  // Help and usage errors must not touch the database: this one does not exist.
  const env = { NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, 'never.db')}` };

  afterAll(() => {
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every command in the general help', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const run = await runInProcess(argv, env);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^Usage: latchkey <command>/);
      for (const command of COMMANDS) expect(run.stdout).toContain(`  ${[command.name, ...command.args].join(' ')}  `);
      expect(run.stdout).toMatch(/Exit codes: 0 done, 1 no such user, 2 bad usage/);
    }
  });

  it.each(COMMANDS.map((command) => [command.name, command] as const))('prints the help of %s and exits 0', async (name, command) => {
    const words = name.split(' ');
    for (const argv of [[...words, '--help'], [...words, '-h'], ['help', ...words], [...words, 'extra', '--bogus', '--help']]) {
      const run = await runInProcess(argv, env);
      expect(run.code, argv.join(' ')).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: latchkey ${name} ${command.args.map((arg) => `${arg} `).join('')}`));
      expect(run.stdout).toContain(command.summary);
      expect(run.stdout).toContain('--json');
    }
  });

  it('prints the commands of a group', async () => {
    const run = await runInProcess(['users', '--help'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/users add EMAIL.*\n.*users show EMAIL.*\n.*users list/);
    expect(run.stdout).not.toContain('reset-token');
  });

  it.each([
    [[], /^latchkey: a command is needed \(run `latchkey --help`\)$/],
    [['frobnicate'], /^latchkey: unknown command "frobnicate" \(run `latchkey --help`\)$/],
    [['help', 'frobnicate'], /unknown command "frobnicate"/],
    [['users'], /unknown command "users"; users commands: add, show, list, verify, delete, mfa-reset \(run `latchkey users --help`\)/],
    [['users', 'remove', 'a@example.com'], /unknown command "users remove"/],
    [['users', 'show'], /^latchkey: missing EMAIL \(run `latchkey users show --help`\)$/],
    [['users', 'show', 'a@example.com', 'b@example.com'], /unexpected argument "b@example\.com"/],
    [['users', 'show', '  '], /EMAIL is empty/],
    [['users', 'show', 'a@example.com', '--verbose'], /unknown option '--verbose'/],
    [['users', 'add', 'a@example.com', '--password=secret'], /unknown option '--password'/],
    [['users', 'list', '--limit'], /option '--limit <value>' argument missing/],
    [['users', 'list', '--limit', '0'], /--limit must be a whole number from 1 to 10000/],
    [['users', 'list', '--limit', '2.5'], /--limit must be a whole number/],
    [['users', 'list', '--limit', '10001'], /--limit must be a whole number/],
    [['users', 'list', '--offset=-1'], /--offset must be a whole number from 0/],
    [['users', 'list', '--offset', '-1'], /option '--offset' argument is ambiguous/],
    [['migrate', 'now'], /unexpected argument "now" \(run `latchkey migrate --help`\)/],
  ])('refuses %j with exit code 2 and one line', async (argv, message) => {
    const run = await runInProcess(argv, env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^latchkey: [^\n]+\n$/);
    expect(run.stderr.trimEnd()).toMatch(message);
  });
});
