import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createKnex } from '@latchkey/adapters';
import { migrateCli, runMigrateCommand } from '../migrate';
import { ROOT } from '../server-process';

const run = promisify(execFile);

describe('the migrations command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists, applies and rolls back migrations', async () => {
    const knex = createKnex(`sqlite:${join(dir, 'steps.db')}`);
    try {
      expect(await runMigrateCommand('status', knex)).toEqual([
        'pending  20261124-001-create-users',
        'pending  20261125-002-create-auth-events',
        'pending  20261125-003-create-sessions',
        'pending  20261125-004-create-password-reset-tokens',
        '0 applied, 4 pending',
      ]);
      expect(await runMigrateCommand('latest', knex)).toEqual([
        'applied  20261124-001-create-users',
        'applied  20261125-002-create-auth-events',
        'applied  20261125-003-create-sessions',
        'applied  20261125-004-create-password-reset-tokens',
      ]);
      expect(await runMigrateCommand('latest', knex)).toEqual(['already up to date']);
      expect(await runMigrateCommand('status', knex)).toEqual([
        'applied  20261124-001-create-users',
        'applied  20261125-002-create-auth-events',
        'applied  20261125-003-create-sessions',
        'applied  20261125-004-create-password-reset-tokens',
        '4 applied, 0 pending',
      ]);
      expect(await knex.schema.hasTable('users')).toBe(true);
      expect(await runMigrateCommand('rollback', knex)).toEqual([
        'rolled back  20261125-004-create-password-reset-tokens',
        'rolled back  20261125-003-create-sessions',
        'rolled back  20261125-002-create-auth-events',
        'rolled back  20261124-001-create-users',
      ]);
      expect(await knex.schema.hasTable('users')).toBe(false);
      expect(await runMigrateCommand('rollback', knex)).toEqual(['nothing to roll back']);
    } finally {
      await knex.destroy();
    }
  });

  it('refuses an unknown command or a bad setting', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await migrateCli(['drop'], {})).toBe(2);
      expect(errors).toHaveBeenLastCalledWith('usage: npm run migrate [-- latest|status|rollback]');
      await expect(migrateCli(['status'], { DATABASE_URL: 'mysql://x' })).rejects.toThrow(/^Invalid DATABASE_URL/);
    } finally {
      errors.mockRestore();
    }
  });

  it('runs as a command on the DATABASE_URL of the environment', async () => {
    const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tools/migrate.ts'], { cwd: ROOT, env });
    expect(stdout).toBe('applied  20261124-001-create-users\napplied  20261125-002-create-auth-events\napplied  20261125-003-create-sessions\napplied  20261125-004-create-password-reset-tokens\n');
  });
});
