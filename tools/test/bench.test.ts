import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../server-process';

describe('npm run bench -- --quick', () => {
  it('prints one table with every scenario, its CPU per request, and every ratio of SQLite', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench/main.ts', '--quick'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('| '));
    expect(rows[0]).toBe('| scenario | req/s | p50 ms | p99 ms | errors | other statuses | CPU µs/req |');
    const scenarios = rows.slice(2).filter((row) => !row.startsWith('| ratio '));
    for (const name of ['limit: node:http', 'limit: bare Koa', 'GET /', 'GET /profile (1k users)', 'GET /sessions/whoami (1k users)', 'POST /sessions/token (1k users)', 'POST /sessions', 'bcrypt.compare', 'GET /profile during login flood', 'GET /profile (10k users)']) {
      expect(scenarios.some((row) => row.includes(`] ${name}`)), name).toBe(true);
    }
    for (const row of scenarios) {
      expect(row.split('|')[2]!.trim()).toMatch(/^\d+\.\d$/);
      expect(row.split('|')[7]!.trim(), row).toMatch(/^\d+\.\d$/);
    }
    const ratios = rows.filter((row) => row.startsWith('| ratio '));
    const names = ['root/koa', 'profile/koa', 'profile/node', 'whoami/profile', 'login/bcrypt', 'profile-during-login-flood/profile', 'profile@10k/profile@1k', 'workers2/workers1', 'workers2/workers1 pinned'];
    expect(ratios.map((row) => row.split('|')[1]!.trim().replace(/^ratio /, '').replace(/ \[sqlite\]$/, ''))).toEqual(names);
    for (const row of ratios) expect(row.split('|')[2]!.trim()).toMatch(/^(\d+\.\d\d|n\/a \(.+\))$/);
  }, 120_000);
});
