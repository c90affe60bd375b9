import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ROOT, freePort } from '../server-process';
import { alive, until } from './support/waiting';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-npm-start-'));
let child: ChildProcess | undefined;
/** The server npm started, should a failed test leave it behind. */
let serverPid: number | undefined;

afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  if (serverPid !== undefined && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
  child = serverPid = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function env(name: string, port: number): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}` };
}

/** Starts `command` as a supervisor would and collects its output; resolves with its exit code once it ends. */
function supervise(command: string, args: string[], environment: NodeJS.ProcessEnv): { output: () => string; exited: Promise<number | null> } {
  child = spawn(command, args, { cwd: ROOT, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  return { output: () => output, exited };
}

const canCutNetwork = spawnSync('unshare', ['-n', 'true']).status === 0 && spawnSync('nsenter', ['--version']).status === 0;

describe('npm start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('ends in the graceful shutdown, exit 0, when the npm start process itself gets %s', async (signal) => {
    const port = await freePort();
    const npm = supervise('npm', ['start'], env(signal, port));
    await until('the server to listen', () => (/listening on/.test(npm.output()) ? true : undefined));
    serverPid = Number(/"pid":(\d+)[^\n]*listening on/.exec(npm.output())![1]);
    expect(serverPid).not.toBe(child!.pid);
    // The build, run by node itself: no TypeScript is compiled while serving.
    const commandLine = readFileSync(`/proc/${serverPid}/cmdline`, 'utf8').split('\0');
    expect(commandLine).toContain('apps/api/dist/main.js');
    expect(commandLine.join(' ')).not.toMatch(/tsx/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // A file read at start from the package rather than bundled (the pages' script) is found from the build too.
    expect(await (await fetch(`http://127.0.0.1:${port}/pages-passkeys.js`)).text()).toContain('SimpleWebAuthnBrowser');

    child!.kill(signal);
    expect(await npm.exited).toBe(0);
    expect(npm.output()).toMatch(new RegExp(`"reason":"${signal}"[^\\n]*shutting down`));
    expect(npm.output()).toContain('"msg":"stopped"');
    expect(alive(serverPid)).toBe(false);
  });

  it.skipIf(!canCutNetwork)('serves within seconds with the network cut (unshare -n) when nothing needs installing', async () => {
    expect(spawnSync('sh', ['tools/install.sh'], { cwd: ROOT }).status).toBe(0);
    const port = await freePort();
    const begun = Date.now();
    const npm = supervise('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec npm start'], env('offline', port));
    // The server is only reachable inside its network namespace.
    const inside = () => spawnSync('nsenter', ['-t', String(child!.pid), '-n', 'curl', '-sf', '--max-time', '1', `http://127.0.0.1:${port}/healthz`]).status === 0;
    await until('an answer inside the cut namespace', () => (inside() ? true : undefined), 20_000);
    const elapsedMs = Date.now() - begun;
    console.log(`npm start with the network cut: first answer after ${elapsedMs} ms`);
    expect(elapsedMs).toBeLessThan(10_000);
    expect(npm.output()).not.toMatch(/pnpm|Progress: resolved/);
    child!.kill('SIGTERM');
    expect(await npm.exited).toBe(0);
  });

  it('stops a bad setting with its one line and exit 78, from the build as from the sources', async () => {
    const npm = supervise('npm', ['start', '--silent'], { ...env('bad-setting', 0), PORT: 'not-a-port' });
    expect(await npm.exited).toBe(78);
    const lines = npm.output().split('\n').filter((line) => line.startsWith('latchkey:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^latchkey: cannot start: .*PORT.*\(config\)$/);
  });
});
