import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import { FORGED_IDENTITY, expectIdentity, send, signedIn, startEchoUpstream, waitForPort } from './support/forward-auth';

const caddyInstalled = spawnSync('caddy', ['version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-caddy-'));
let api: ServerProcess | undefined;
let upstream: Awaited<ReturnType<typeof startEchoUpstream>> | undefined;
let caddy: ChildProcess | undefined;
let caddyOutput = '';
let port = 0;

/** tools/caddy/Caddyfile with this test's ports, its admin endpoint off and no certificates to manage. */
function configuration(apiPort: number, upstreamPort: number, latchkey: string): string {
  const site = readFileSync(join(ROOT, 'tools/caddy/Caddyfile'), 'utf8')
    .replace('http://app.example.com', `http://127.0.0.1:${port}`)
    .replace('forward_auth 127.0.0.1:5000', `forward_auth 127.0.0.1:${apiPort}`)
    .replace('reverse_proxy 127.0.0.1:8080', `reverse_proxy 127.0.0.1:${upstreamPort}`)
    .replace('https://auth.example.com/login', `${latchkey}/login`);
  return `{\n\tadmin off\n\tauto_https off\n}\n\n${site}`;
}

// CI installs it (tools/ci-services.sh): there, a missing one fails the test instead of skipping it.
describe.skipIf(!caddyInstalled && process.env.LATCHKEY_REQUIRE_SERVICES !== '1')('an application behind Caddy forward_auth (tools/caddy/Caddyfile)', () => {
  beforeAll(async () => {
    port = await freePort();
    [api, upstream] = await Promise.all([
      startServerProcess({ NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, 'users.db')}` }),
      startEchoUpstream(),
    ]);
    writeFileSync(join(dir, 'Caddyfile'), configuration(Number(new URL(api.url).port), upstream.port, api.url));
    // Caddy keeps its state under XDG directories: this test's own.
    caddy = spawn('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
      env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [caddy.stdout!, caddy.stderr!]) stream.on('data', (chunk: Buffer) => (caddyOutput += chunk.toString()));
    await waitForPort(port, () => caddy!.exitCode !== null, () => `caddy did not start: ${caddyOutput}`);
  });

  afterAll(async () => {
    caddy?.kill('SIGTERM');
    await Promise.all([api?.stop(), upstream?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a browser without a session to sign in, and back; a program gets 401', async () => {
    const path = '/orders?page=2&sort=date';
    const browser = await send(port, 'GET', path, { accept: 'text/html', ...FORGED_IDENTITY });
    expect(browser.status).toBe(302);
    const location = new URL(browser.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe(`${api!.url}/login`);
    expect(location.searchParams.get('return_to')).toBe(`http://127.0.0.1:${port}${path}`);
    expect((await send(port, 'GET', path, { accept: 'application/json' })).status).toBe(401);
    expect(upstream!.received).toEqual([]);
  });

  it('passes a signed-in request on with Latchkey’s identity headers only, whatever the client sent', async () => {
    const { cookie, whoami } = await signedIn(api!.url, 'ada@example.com');
    const got = await send(port, 'GET', '/orders', { cookie, ...FORGED_IDENTITY });
    expect(got.status).toBe(200);
    expectIdentity(upstream!.received.at(-1)!, whoami);
    const posted = await send(port, 'POST', '/orders', { cookie, 'content-type': 'application/json', ...FORGED_IDENTITY }, '{"item":42}');
    expect(posted.status).toBe(200);
    expect(upstream!.received.at(-1)).toMatchObject({ method: 'POST', body: '{"item":42}' });
    expectIdentity(upstream!.received.at(-1)!, whoami);
  });
});
