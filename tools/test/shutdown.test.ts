import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-shutdown-'));
let server: ServerProcess | undefined;

afterEach(async () => {
  if (server?.child.exitCode === null) await server.stop('SIGKILL');
  server = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`, NODE_ENV: 'production', LOG_LEVEL: 'debug', ...extra };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const started = (requestId: string) => () =>
  server!.output().split('\n').some((line) => line.includes(`"reqId":"${requestId}"`) && line.includes('"request started"'));

/** A POST /sessions over a fresh connection, answered as status and headers. */
function login(url: string, requestId: string, body: string): Promise<{ status: number; cookie: string | undefined; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': requestId, connection: 'keep-alive' },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode!, cookie: res.headers['set-cookie']?.[0], connection: res.headers.connection }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('graceful shutdown', () => {
  it('on SIGTERM, finishes a login that is hashing (bcrypt cost 12), then exits 0', async () => {
    server = await startServerProcess(env('term', { BCRYPT_ROUNDS: '12' }));
    const credentials = 'email=drain%40example.com&password=b4l0u';
    const registered = await fetch(`${server.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: credentials,
    });
    expect(registered.status).toBe(200);

    const answer = login(server.url, 'in-flight-login', credentials);
    await until(started('in-flight-login'), 'the login to start');
    const exit = server.stop('SIGTERM');

    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.cookie).toMatch(/^session_id=/);
    expect(response.connection).toBe('close');
    expect(await exit).toBe(0);

    const lines = server.output().split('\n');
    const draining = lines.findIndex((line) => line.includes('shutting down'));
    const answered = lines.findIndex((line) => line.includes('"reqId":"in-flight-login"') && line.includes('"msg":"request"'));
    expect(draining).toBeGreaterThanOrEqual(0);
    expect(answered).toBeGreaterThan(draining);
    expect(lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('exits 1 when a request outlasts SHUTDOWN_TIMEOUT_SECONDS', async () => {
    server = await startServerProcess(env('timeout', { SHUTDOWN_TIMEOUT_SECONDS: '1' }));
    const { port } = new URL(server.url);
    // A body announced but never sent keeps the request in flight.
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write('POST /users HTTP/1.1\r\nHost: x\r\nX-Request-Id: stalled\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em');
    await until(started('stalled'), 'the stalled request to start');
    const begun = Date.now();
    expect(await server.stop('SIGTERM')).toBe(1);
    expect(Date.now() - begun).toBeGreaterThanOrEqual(900);
    expect(server.output()).toContain('shutdown timed out');
    socket.destroy();
  });
});
