import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../server-process';

const run = promisify(execFile);

/** `npm run migrate -- <args>` without the install step, as a child process. */
async function migrate(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'tools/migrate.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, out: stdout + stderr };
  }
}

describe('the migrations command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-migrate-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'users.db')}` };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists, applies and rolls back migrations', async () => {
    expect(await migrate(env, 'status')).toEqual({
      code: 0,
      out: 'pending  20261124-001-create-users\npending  20261125-002-create-auth-events\n0 applied, 2 pending\n',
    });
    expect(await migrate(env)).toEqual({ code: 0, out: 'applied  20261124-001-create-users\napplied  20261125-002-create-auth-events\n' });
    expect(await migrate(env, 'latest')).toEqual({ code: 0, out: 'already up to date\n' });
    expect(await migrate(env, 'rollback')).toEqual({ code: 0, out: 'rolled back  20261125-002-create-auth-events\nrolled back  20261124-001-create-users\n' });
    expect((await migrate(env, 'status')).out).toContain('0 applied, 2 pending');
  });

  it('refuses an unknown command or a bad setting', async () => {
    expect(await migrate(env, 'drop')).toEqual({ code: 2, out: 'usage: npm run migrate [-- latest|status|rollback]\n' });
    expect(await migrate({ DATABASE_URL: 'mysql://x' }, 'status')).toMatchObject({ code: 1, out: expect.stringMatching(/^Invalid DATABASE_URL/) });
  });
});
