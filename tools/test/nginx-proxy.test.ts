import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAcceptance } from '../acceptance';
import { ROOT, freePort, startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

const nginxInstalled = spawnSync('nginx', ['-v']).status === 0 && spawnSync('openssl', ['version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-nginx-'));
let api: ServerProcess | undefined;
let nginx: ChildProcess | undefined;
let nginxErrors = '';
const ports = { host: 0, hostTls: 0, prefix: 0, prefixTls: 0, noProtoTls: 0 };

/**
 * The README's configuration with this test's ports and certificate. Each server also
 * listens on plain HTTP, where fetch runs the scenario; a copy of the host's server that
 * does not forward X-Forwarded-Proto shows what that header is for.
 */
function configuration(apiPort: number): string {
  const template = readFileSync(join(ROOT, 'tools/nginx/latchkey.conf'), 'utf8')
    .replace('server 127.0.0.1:5000;', `server 127.0.0.1:${apiPort};`)
    .replaceAll(/ssl_certificate \S+;/g, `ssl_certificate ${dir}/cert.pem;`)
    .replaceAll(/ssl_certificate_key \S+;/g, `ssl_certificate_key ${dir}/key.pem;`);
  const [upstream, hostServer, prefixServer] = template.split(/\n(?=# The service (?:on|under) )/) as [string, string, string];
  const listen = (server: string, tls: number, plain?: number) =>
    server.replace('listen 443 ssl;', `listen 127.0.0.1:${tls} ssl;${plain ? ` listen 127.0.0.1:${plain};` : ''}`);
  const noProto = listen(hostServer, ports.noProtoTls).replace(/\n\s*proxy_set_header X-Forwarded-Proto \$scheme;/, '');
  return `${upstream}\n${listen(hostServer, ports.hostTls, ports.host)}\n${listen(prefixServer, ports.prefixTls, ports.prefix)}\n${noProto}`;
}

function startNginx(apiPort: number): ChildProcess {
  for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  writeFileSync(join(dir, 'latchkey.conf'), configuration(apiPort));
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name, i) => `${name}_temp_path ${dir}/${['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'][i]};`);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 256; }
http { access_log off; ${temps.join(' ')} include ${dir}/latchkey.conf; }
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => (nginxErrors += chunk.toString()));
  return child;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** An HTTPS request trusting this test's certificate: status, Location and cookie. */
function https(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; location?: string; cookie?: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, ca: readFileSync(join(dir, 'cert.pem')) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** An HTTPS request of a page: status, Location, body, and the cookies it sets added to the jar. */
function httpsPage(port: number, method: string, path: string, jar: Map<string, string>, headers: Record<string, string> = {}, body?: string) {
  const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  return new Promise<{ status: number; location?: string; html: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(cookie ? { cookie } : {}) }, ca: readFileSync(join(dir, 'cert.pem')) }, (res) => {
      let html = '';
      res.on('data', (chunk: Buffer) => (html += chunk.toString()));
      res.on('end', () => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const [name, value] = line.split(';')[0]!.split('=', 2) as [string, string];
          jar.set(name, value);
        }
        resolve({ status: res.statusCode!, location: res.headers.location, html });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Registers and logs in through the proxy over HTTPS, then logs out the way a browser page of `origin` does. */
async function browserLogout(port: number, prefix: string, origin: string, email: string) {
  const credentials = `email=${encodeURIComponent(email)}&password=b4l0u`;
  expect((await https(port, 'POST', `${prefix}/users`, FORM, credentials)).status).toBe(200);
  const login = await https(port, 'POST', `${prefix}/sessions`, FORM, credentials);
  expect(login.cookie).toMatch(/^session_id=./);
  return https(port, 'DELETE', `${prefix}/sessions`, { origin, cookie: login.cookie! });
}

describe.skipIf(!nginxInstalled)('behind nginx (tools/nginx/latchkey.conf)', () => {
  beforeAll(async () => {
    for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
    const certificate = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    expect(certificate.status).toBe(0);
    api = await startServerProcess({ NODE_ENV: 'test', BCRYPT_ROUNDS: '4', TRUST_PROXY: 'true', COOKIE_SECURE: 'true', DATABASE_URL: `sqlite:${join(dir, 'users.db')}` });
    nginx = startNginx(Number(new URL(api.url).port));
    for (let waited = 0; !(await accepting(ports.noProtoTls)); waited += 50) {
      if (waited > 10_000 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${nginxErrors}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the acceptance scenario on a host of its own and under a path prefix', async () => {
    await runAcceptance(`http://127.0.0.1:${ports.host}`, () => {}, 'host@example.com');
    await runAcceptance(`http://127.0.0.1:${ports.prefix}/auth/`, () => {}, 'prefix@example.com');
  });

  it('lets a browser page of the site log out over HTTPS, the redirect staying under the prefix', async () => {
    const hostOrigin = `https://127.0.0.1:${ports.hostTls}`;
    const host = await browserLogout(ports.hostTls, '', hostOrigin, 'tls-host@example.com');
    expect(host.status).toBe(302);
    expect(new URL(host.location!, hostOrigin).href).toBe(`${hostOrigin}/`);
    const prefixOrigin = `https://127.0.0.1:${ports.prefixTls}`;
    const prefixed = await browserLogout(ports.prefixTls, '/auth', prefixOrigin, 'tls-prefix@example.com');
    expect(prefixed.status).toBe(302);
    expect(new URL(prefixed.location!, prefixOrigin).href).toBe(`${prefixOrigin}/auth/`);
  });

  it('serves the hosted pages under the prefix: their links, form posts and redirects stay in it', async () => {
    const origin = `https://127.0.0.1:${ports.prefixTls}`;
    const jar = new Map<string, string>();
    const signup = await httpsPage(ports.prefixTls, 'GET', '/auth/signup', jar);
    expect(signup.status).toBe(200);
    expect(signup.html).toContain('<link rel="stylesheet" href="pages.css"/>');
    expect(signup.html).toContain('action="signup"');
    // Secure cookies: the browser's form secret is a __Host- cookie.
    expect([...jar.keys()]).toEqual(['__Host-latchkey_form']);
    expect((await httpsPage(ports.prefixTls, 'GET', '/auth/pages.css', jar)).status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(signup.html)![1]!;
    const fields = new URLSearchParams({ csrf, email: 'pages-prefix@example.com', password: 'b4l0u' }).toString();
    const posted = await httpsPage(ports.prefixTls, 'POST', '/auth/signup', jar, { ...FORM, origin }, fields);
    expect(posted.status).toBe(303);
    const account = new URL(posted.location!, `${origin}/auth/signup`);
    expect(account.href).toBe(`${origin}/auth/account`);
    const page = await httpsPage(ports.prefixTls, 'GET', account.pathname, jar);
    expect(page.status).toBe(200);
    expect(page.html).toContain('pages-prefix@example.com');
  });

  it('refuses that logout as cross-origin when the proxy does not forward X-Forwarded-Proto', async () => {
    const refused = await browserLogout(ports.noProtoTls, '', `https://127.0.0.1:${ports.noProtoTls}`, 'no-proto@example.com');
    expect(refused.status).toBe(403);
  });
});
