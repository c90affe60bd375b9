import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../server-process';

// Packs every package as it would be published, installs the tarballs with npm in a project
// outside the workspace, and runs there under plain node (no tsx, no TypeScript).
const PACKAGES = ['domain', 'adapters', 'runtime'];
const TRACER = join(ROOT, 'tools/test/packed/trace-loads.mjs');
const dir = mkdtempSync(join(tmpdir(), 'latchkey-packed-'));
const project = join(dir, 'project');
const tarballs: Record<string, string> = {};

function run(command: string, args: string[], cwd: string, timeout = 60_000): SpawnSyncReturns<string> {
  // pnpm's launcher of vitest points NODE_PATH into the workspace: the project must not see it.
  const env = { ...process.env };
  delete env.NODE_PATH;
  const nodedir = dirname(dirname(process.execPath));
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout, env: { ...env, npm_config_nodedir: nodedir, NODE_ENV: 'test' } });
}

function succeed(command: string, args: string[], cwd: string, timeout?: number): string {
  const result = run(command, args, cwd, timeout);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** What importing `specifier` loads in the installed project: packages and native modules. */
function loads(specifier: string): { packages: string[]; native: string[] } {
  const out = succeed(process.execPath, ['--import', TRACER, '--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`], project);
  return JSON.parse(out.trim().split('\n').at(-1)!) as { packages: string[]; native: string[] };
}

beforeAll(() => {
  // Built once before packing: each package's prepack then finds its build up to date.
  succeed(process.execPath, ['tools/build.mjs'], ROOT);
  const packs = join(dir, 'tarballs');
  for (const name of PACKAGES) {
    succeed('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', packs], join(ROOT, 'packages', name));
  }
  for (const file of readdirSync(packs)) tarballs[/^latchkey-(\w+)-/.exec(file)![1]!] = join(packs, file);
  mkdirSync(project);
  // The workspace's compiled better-sqlite3: the machine cannot download a prebuilt one, and
  // compiling it again would take most of a minute.
  const betterSqlite3 = realpathSync(join(ROOT, 'packages/adapters/node_modules/better-sqlite3'));
  const manifest = {
    name: 'latchkey-packed-check',
    private: true,
    type: 'module',
    dependencies: {
      ...Object.fromEntries(PACKAGES.map((name) => [`@latchkey/${name}`, `file:${tarballs[name]}`])),
      bcrypt: '6.0.0',
      'better-sqlite3': `file:${betterSqlite3}`,
      expect: '30.5.2',
    },
    // The packed adapters and runtime ask for @latchkey/domain 0.2.0: the tarball is it.
    overrides: { '@latchkey/domain': '$@latchkey/domain', '@latchkey/adapters': '$@latchkey/adapters' },
  };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  succeed('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], project, 120_000);
  for (const example of ['node-http-app', 'json-file-adapter']) {
    cpSync(join(ROOT, 'examples', example), join(project, example), { recursive: true, filter: (path) => !path.includes('node_modules') });
  }
  cpSync(join(ROOT, 'tools/test/packed'), join(project, 'checks'), { recursive: true });
}, 150_000);

afterAll(() => (process.env.KEEP_PACKED ? console.log(dir) : rmSync(dir, { recursive: true, force: true })));

describe('the packed packages, installed with npm outside the workspace', () => {
  it('ship compiled JavaScript, declarations and no sources or tests', () => {
    for (const name of PACKAGES) {
      const listing = succeed('tar', ['-tzf', tarballs[name]!], dir).split('\n').filter(Boolean);
      expect(listing, name).toContain('package/dist/index.js');
      expect(listing, name).toContain('package/dist/types/index.d.ts');
      expect(listing.filter((file) => /\/(src|test)\//.test(file) || /stamp$/.test(file)), name).toEqual([]);
      expect(statSync(tarballs[name]!).size, name).toBeLessThan(300_000);
    }
  });

  it('load no native module and none of knex, pg, ioredis, nodemailer for the domain, /memory and /testing', () => {
    for (const specifier of ['@latchkey/domain', '@latchkey/adapters/memory', '@latchkey/adapters/testing', '@latchkey/adapters/passwords']) {
      // Only the domain's own pure-JavaScript dependencies (ids, TOTP).
      expect(loads(specifier), specifier).toEqual({ packages: ['otpauth', 'uuid'], native: [] });
    }
    expect(loads('@latchkey/adapters/knex').packages).toEqual(['knex', 'otpauth', 'uuid']);
    expect(loads('@latchkey/adapters/bcrypt').native).toEqual([expect.stringMatching(/^bcrypt\//)]);
  });

  it('name the package to install when a driver is missing (pg and ioredis are not installed here)', () => {
    expect(succeed(process.execPath, ['checks/missing-drivers.mjs'], project)).toContain('missing drivers named');
  });

  it('pass the exported contract suites under node:test (memory and bcrypt adapters)', () => {
    expect(succeed(process.execPath, ['--test', 'checks/exported-contracts.test.js'], project)).toMatch(/# fail 0/);
  });

  it.each(['node-http-app', 'json-file-adapter'])('run the %s example and its own test', (example) => {
    const out = succeed(process.execPath, ['--test', 'test/'], join(project, example));
    expect(out).toMatch(/# pass [1-9]/);
    expect(out).toMatch(/# fail 0/);
  });
});
