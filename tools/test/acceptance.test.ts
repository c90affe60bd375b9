import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAcceptance } from '../acceptance';
import { startServerProcess } from '../server-process';
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
