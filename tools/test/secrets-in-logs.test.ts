import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountSmallDisk, privateServices } from '../../packages/adapters/test/support/private-services';
import type { SmallDisk } from '../../packages/adapters/test/support/private-services';
import { runAcceptance } from '../acceptance';
import { startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-logs-'));
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const random = () => randomBytes(9).toString('base64url');

describe('the log of a full scenario at the most verbose level', () => {
  it('holds no password, token, session id or cookie', async () => {
    server = await startServerProcess({ DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`, NODE_ENV: 'test', BCRYPT_ROUNDS: '4', LOG_LEVEL: 'trace' });
    const base = server.url;
    const secrets: string[] = ['b4l0u', 't4rt1fl3tt3', 'wrong'];
    const keep = (value: string | null | undefined) => {
      if (!value) throw new Error('expected a secret');
      secrets.push(value, createHash('sha256').update(value).digest('base64url'), createHash('sha256').update(value).digest('hex'));
      return value;
    };
    const send = (method: string, path: string, fields?: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method,
        redirect: 'manual',
        headers: fields ? { 'content-type': 'application/x-www-form-urlencoded', ...headers } : headers,
        body: fields ? new URLSearchParams(fields).toString() : undefined,
      });
    const cookieOf = (response: Response) => keep(response.headers.getSetCookie()[0]?.split(';')[0]?.split('=')[1]);

    await runAcceptance(base);

    const email = 'secrets@example.com';
    const password = keep(random());
    const newPassword = keep(random());
    const wrong = keep(random());
    expect((await send('POST', '/users', { email, password })).status).toBe(200);
    expect((await send('POST', '/sessions', { email, password: wrong })).status).toBe(401);
    const sid = cookieOf(await send('POST', '/sessions', { email, password }));
    expect((await send('GET', '/profile', undefined, { cookie: `session_id=${sid}` })).status).toBe(200);
    expect((await send('GET', '/profile', undefined, { cookie: `session_id=${keep(random())}`, authorization: `Bearer ${keep(random())}` })).status).toBe(403);
    expect((await send('DELETE', '/sessions', undefined, { cookie: `session_id=${sid}` })).status).toBe(302);
    const reset = (await (await send('POST', '/reset_password', { email })).json()) as { reset_token: string };
    const token = keep(reset.reset_token);
    expect((await send('PUT', '/reset_password', { email, reset_token: keep(random()), new_password: newPassword })).status).toBe(403);
    expect((await send('PUT', '/reset_password', { email, reset_token: token, new_password: newPassword })).status).toBe(200);
    cookieOf(await send('POST', '/sessions', { email, password: newPassword }));
    const inQuery = keep(random());
    expect((await send('GET', `/profile?password=${inQuery}&reset_token=${inQuery}`)).status).toBe(403);
    const inBadJson = keep(random());
    const badJson = await fetch(`${base}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"email":"${email}","password":"${inBadJson}"` });
    expect(badJson.status).toBe(400);

    // SIGINT (Ctrl-C) drains like SIGTERM: the log is complete and the exit clean.
    expect(await server.stop('SIGINT')).toBe(0);
    const output = server.output();
    const lines = output.split('\n').filter(Boolean);
    // The log is on and complete: every request above has its line, and nothing but JSON is written.
    expect(lines.filter((line) => line.includes('"msg":"request"')).length).toBe(10 + 12);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const leaked = secrets.filter((secret) => output.includes(secret));
    expect(leaked).toEqual([]);
    expect(output).not.toMatch(/session_id=|set-cookie|"cookie"|authorization|Bearer/i);
  });
});

const diskCheck = privateServices('tmpfs');
describe.skipIf(!diskCheck.available)('the log of writes that fail on a full disk', () => {
  let disk: SmallDisk | undefined;
  let failing: ServerProcess | undefined;
  afterAll(async () => {
    await failing?.stop('SIGKILL');
    await disk?.unmount();
  });

  it('holds no bcrypt hash, email, client address or user agent, and no statement with its values', async () => {
    disk = mountSmallDisk(4096);
    failing = await startServerProcess({
      DATABASE_URL: `sqlite:${join(disk.dir, 'latchkey.db')}`,
      DATABASE_TIMEOUT_MS: '500',
      NODE_ENV: 'test',
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'trace',
      TRUST_PROXY: 'true',
    });
    const agent = `agent-${random()}`;
    const address = '198.51.100.77';
    const send = (method: string, path: string, fields: Record<string, string>) =>
      fetch(`${failing!.url}${path}`, {
        method,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': agent, 'x-forwarded-for': address },
        body: new URLSearchParams(fields).toString(),
      });
    const known = `known-${random().toLowerCase()}@example.com`;
    expect((await send('POST', '/users', { email: known, password: 'b4l0u' })).status).toBe(200);
    const { reset_token } = (await (await send('POST', '/reset_password', { email: known })).json()) as { reset_token: string };
    disk.fill();
    const emails: string[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 30 && !statuses.includes(503); i++) {
      const email = `new-${random().toLowerCase()}-${'x'.repeat(200)}@example.com`;
      emails.push(email);
      statuses.push((await send('POST', '/users', { email, password: 'b4l0u' })).status);
    }
    statuses.push((await send('POST', '/sessions', { email: known, password: 'b4l0u' })).status);
    statuses.push((await send('PUT', '/reset_password', { email: known, reset_token, new_password: 't4rt1fl3tt3' })).status);
    expect(statuses).toContain(503);
    expect(statuses).not.toContain(500);

    disk.free();
    await failing.stop();
    const output = failing.output();
    const leaked = [known, ...emails, agent, address, reset_token].filter((value) => output.includes(value));
    expect(leaked).toEqual([]);
    expect(output).not.toMatch(/\$2[aby]\$/);
    expect(output).not.toMatch(/insert into|update "users"|values \(/i);
  });
});
