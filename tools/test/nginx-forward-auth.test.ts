import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import { FORGED_IDENTITY, expectIdentity, send, signedIn, startEchoUpstream, waitForPort } from './support/forward-auth';

const nginxInstalled = spawnSync('nginx', ['-v']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-forward-auth-'));
let api: ServerProcess | undefined;
let upstream: Awaited<ReturnType<typeof startEchoUpstream>> | undefined;
let nginx: ChildProcess | undefined;
let nginxErrors = '';
const ports = { pages: 0, noPages: 0 };

/**
 * tools/nginx/forward-auth.conf with this test's ports, twice: as it is (sign-in pages
 * on, browsers redirected) and without its error_page line (a 401 for everyone).
 */
function configuration(apiPort: number, upstreamPort: number, latchkey: string): string {
  const template = readFileSync(join(ROOT, 'tools/nginx/forward-auth.conf'), 'utf8')
    .replace('server 127.0.0.1:5000;', `server 127.0.0.1:${apiPort};`)
    .replace('proxy_pass http://127.0.0.1:8080;', `proxy_pass http://127.0.0.1:${upstreamPort};`)
    .replace('https://auth.example.com/login', `${latchkey}/login`);
  const [upstreamBlock, server] = template.split(/\n(?=server \{)/) as [string, string];
  const pages = server.replace('listen 80;', `listen 127.0.0.1:${ports.pages};`);
  const noPages = server.replace('listen 80;', `listen 127.0.0.1:${ports.noPages};`).replace(/\n\s*error_page 401 = @latchkey_login;/, '');
  expect(noPages).not.toContain('error_page');
  return `${upstreamBlock}\n${pages}\n${noPages}`;
}

function startNginx(conf: string): ChildProcess {
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
  for (const temp of temps) mkdirSync(join(dir, temp));
  writeFileSync(join(dir, 'forward-auth.conf'), conf);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 256; }
http { access_log off; ${temps.map((name) => `${name}_temp_path ${dir}/${name};`).join(' ')} include ${dir}/forward-auth.conf; }
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => (nginxErrors += chunk.toString()));
  return child;
}

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const PROGRAM = { accept: 'application/json' };

// CI installs it (tools/ci-services.sh): there, a missing one fails the test instead of skipping it.
describe.skipIf(!nginxInstalled && process.env.LATCHKEY_REQUIRE_SERVICES !== '1')('an application behind nginx auth_request (tools/nginx/forward-auth.conf)', () => {
  beforeAll(async () => {
    ports.pages = await freePort();
    ports.noPages = await freePort();
    [api, upstream] = await Promise.all([
      startServerProcess({ NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: `sqlite:${join(dir, 'users.db')}` }),
      startEchoUpstream(),
    ]);
    nginx = startNginx(configuration(Number(new URL(api.url).port), upstream.port, api.url));
    await waitForPort(ports.noPages, () => nginx!.exitCode !== null, () => `nginx did not start: ${nginxErrors}`);
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await Promise.all([api?.stop(), upstream?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a browser without a session to sign in, and back; a program, or any client without sign-in pages, gets 401', async () => {
    const path = '/orders?page=2&sort=date';
    const browser = await send(ports.pages, 'GET', path, { ...BROWSER, ...FORGED_IDENTITY });
    expect(browser.status).toBe(302);
    const location = new URL(browser.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe(`${api!.url}/login`);
    expect(location.searchParams.get('return_to')).toBe(`http://127.0.0.1:${ports.pages}${path}`);
    expect((await send(ports.pages, 'GET', path, PROGRAM)).status).toBe(401);
    expect((await send(ports.noPages, 'GET', path, BROWSER)).status).toBe(401);
    const ended = await signedIn(api!.url, 'ended@example.com');
    await fetch(`${api!.url}/sessions`, { method: 'DELETE', headers: { cookie: ended.cookie }, redirect: 'manual' });
    expect((await send(ports.noPages, 'GET', '/', { cookie: ended.cookie })).status).toBe(401);
    expect(upstream!.received).toEqual([]);
  });

  it('passes a signed-in request on with Latchkey’s identity headers only, whatever the client sent, bodies included', async () => {
    const { cookie, whoami } = await signedIn(api!.url, 'ada@example.com');
    for (const port of [ports.pages, ports.noPages]) {
      const got = await send(port, 'GET', '/orders?page=2', { cookie, ...BROWSER, ...FORGED_IDENTITY });
      expect(got.status).toBe(200);
      expectIdentity(upstream!.received.at(-1)!, whoami);
    }
    const posted = await send(ports.pages, 'POST', '/orders', { cookie, 'content-type': 'application/json', ...FORGED_IDENTITY }, '{"item":42}');
    expect(posted.status).toBe(200);
    const echoed = upstream!.received.at(-1)!;
    expect([echoed.method, echoed.url, echoed.body]).toEqual(['POST', '/orders', '{"item":42}']);
    expectIdentity(echoed, whoami);
  });
});
