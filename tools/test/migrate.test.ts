import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationSource } from '@latchkey/adapters';
import { runInProcess } from '../../apps/cli/test/run-cli';
import { ROOT } from '../server-process';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-npm-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run -s <script> -- args`, answered as exit code and output. */
function npmRun(script: string, args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('npm run migrate and npm run events are the CLI commands', () => {
  it('print what `latchkey migrate …` and `latchkey events …` print, with the same exit codes', async () => {
    const viaNpm = `sqlite:${join(dir, 'npm.db')}`;
    const viaCli = `sqlite:${join(dir, 'cli.db')}`;
    for (const [script, args] of [
      ['migrate', []],
      ['migrate', ['status']],
      ['events', ['nobody@example.com']],
      ['migrate', ['rollback']],
      ['migrate', ['status', '--json']],
    ] as const) {
      const npm = await npmRun(script, [...args], viaNpm);
      const cli = await runInProcess([script, ...args], { DATABASE_URL: viaCli });
      expect({ args: [script, ...args], ...npm, stderr: npm.stderr.replaceAll('npm.db', 'cli.db') }).toEqual({ args: [script, ...args], ...cli });
    }
  }, 60_000);

  it('latchkey migrate rollback undoes the last batch, then has nothing to roll back', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'rollback.db')}` };
    expect((await runInProcess(['migrate'], env)).code).toBe(0);
    const undone = await runInProcess(['migrate', 'rollback', '--json'], env);
    expect(JSON.parse(undone.stdout)).toEqual({ rolled_back: [...(await migrationSource.getMigrations([]))].reverse() });
    expect((await runInProcess(['migrate', 'rollback'], env)).stdout).toBe('nothing to roll back\n');
    expect(JSON.parse((await runInProcess(['migrate', 'status', '--json'], env)).stdout)).toMatchObject({ applied: [] });
  });
});
