import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@latchkey/runtime';
import { contractModeSettings } from '../../apps/api/src/production-checks';
import { ROOT, startServerProcess } from '../server-process';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-production-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONTRACT_DEFAULTS = ['RESET_TOKEN_DELIVERY=response', 'COOKIE_SECURE=false', 'PASSWORD_MIN_LENGTH=1', 'HOST=0.0.0.0 without TRUST_PROXY', 'PUBLIC_URL unset', 'PUBLIC_URL and WEBAUTHN_RP_ID unset'];

describe('production with contract-mode settings', () => {
  it('warns once per setting at start, each line naming the setting that changes it', async () => {
    const server = await startServerProcess({ NODE_ENV: 'production', HOST: '0.0.0.0', DATABASE_URL: `sqlite:${join(dir, 'warn.db')}` });
    const exit = await server.stop();
    const warnings = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":40'))
      .map((line) => JSON.parse(line) as { setting: string; msg: string });
    expect(warnings.map(({ setting }) => setting)).toEqual(CONTRACT_DEFAULTS);
    for (const { msg } of warnings) expect(msg).toMatch(/set (RESET_TOKEN_DELIVERY=email|COOKIE_SECURE=true|PASSWORD_MIN_LENGTH=8|TRUST_PROXY=true|PUBLIC_URL=https)/);
    expect(exit).toBe(0);
  });

  it('refuses to start with STRICT_PRODUCTION=true, in one line naming every such setting', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', STRICT_PRODUCTION: 'true', HOST: '0.0.0.0', PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'strict.db')}` },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(78);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`latchkey: cannot start: STRICT_PRODUCTION=true refuses ${CONTRACT_DEFAULTS.join(', ')} in production (config)\n`);
  });

  it('has nothing to say with hardened settings, or outside production', () => {
    const hardened = loadConfig({
      NODE_ENV: 'production',
      RESET_TOKEN_DELIVERY: 'email',
      SMTP_URL: 'smtp://mail.example.com:587',
      MAIL_FROM: 'no-reply@example.com',
      RESET_URL_TEMPLATE: 'https://app.example.com/reset?token={token}',
      COOKIE_SECURE: 'true',
      PASSWORD_MIN_LENGTH: '8',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'https://auth.example.com',
      ENCRYPTION_KEYS: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(contractModeSettings(hardened)).toEqual([]);
    expect(contractModeSettings({ ...hardened, HOST: '0.0.0.0', TRUST_PROXY: true })).toEqual([]);
    expect(contractModeSettings(loadConfig({ NODE_ENV: 'development' }))).toEqual([]);
  });
});
