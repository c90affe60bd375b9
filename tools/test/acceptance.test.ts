import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAcceptance } from '../acceptance';
import { ROOT, startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

describe('the started server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`, NODE_ENV: 'production' };
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the acceptance scenario on default settings', async () => {
    server = await startServerProcess(env);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const steps: string[] = [];
    await runAcceptance(server.url, (line) => steps.push(line));
    expect(steps).toHaveLength(9);
  });

  it('keeps every user across a stop and a start', async () => {
    expect(await server!.stop()).toBe(0);
    server = await startServerProcess(env);
    const response = await fetch(`${server.url}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=guillaume%40holberton.io&password=t4rt1fl3tt3',
    });
    expect(response.status).toBe(200);
    const again = await fetch(`${server.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=guillaume%40holberton.io&password=b4l0u',
    });
    expect(again.status).toBe(400);
  });

  it('refuses to start with a bad setting, naming it', async () => {
    await expect(startServerProcess({ ...env, BCRYPT_ROUNDS: 'twelve' })).rejects.toThrow(/BCRYPT_ROUNDS/);
  });
});

describe('tools/acceptance.ts from the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-acceptance-cli-'));
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const acceptance = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'tools/acceptance.ts', server!.url, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  const login = (email: string, password: string) =>
    fetch(`${server!.url}/sessions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password }).toString() });

  it('runs again and again against one server, each run on a fresh address it locks afterwards', async () => {
    server = await startServerProcess({ DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`, NODE_ENV: 'test', BCRYPT_ROUNDS: '4' });
    const emails: string[] = [];
    for (let run = 0; run < 2; run++) {
      const { status, stdout } = acceptance();
      expect(status).toBe(0);
      const email = /passed against \S+ as (\S+@example\.com) \(account locked/.exec(stdout)?.[1];
      expect(email).toBeDefined();
      emails.push(email!);
    }
    expect(emails[0]).not.toBe(emails[1]);
    // The password printed in the scenario no longer opens the accounts it created.
    for (const email of emails) expect((await login(email, 't4rt1fl3tt3')).status).toBe(401);
  });

  it('--seed-email runs the scenario as written, with guillaume@holberton.io', async () => {
    const { status, stdout } = acceptance('--seed-email');
    expect(status).toBe(0);
    expect(stdout).toMatch(/passed against \S+ as guillaume@holberton\.io$/m);
    expect((await login('guillaume@holberton.io', 't4rt1fl3tt3')).status).toBe(200);
  });
});
