import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQuietServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

/** What one failing login sends: an email field of about 15 kB, a form under BODY_LIMIT (16kb). */
const LONG_EMAIL = 'x'.repeat(15_000);
const WARM_UP = 4_000;
const MEASURED = 8_000;
const CONNECTIONS = 16;

/**
 * Failing logins with over-long email fields, each one different, sent to a real server
 * process: what the server still holds after a full garbage collection must not grow
 * with their count. Past the address's limit every one is refused (429), and each had
 * kept a counter of its email, given back to zero but not dropped: about 150 bytes a login.
 */
describe('failing logins with 15 kB email fields', () => {
  let server: ServerProcess;
  let sent = 0;
  const statuses: Record<number, number> = {};

  beforeAll(async () => {
    server = await startQuietServerProcess({ DATABASE_URL: 'sqlite::memory:', NODE_ENV: 'test', BCRYPT_ROUNDS: '4' }, 30_000, ['--expose-gc', '--import', './tools/test/support/heap-probe.mjs']);
  });
  afterAll(async () => {
    agent.destroy();
    await server?.stop();
  });

  /** The server's heap in use after a full collection, code left out (the probe answers SIGUSR2 on stderr). */
  async function heapAfterGc(): Promise<number> {
    const from = server.output().length;
    server.child.kill('SIGUSR2');
    for (let waited = 0; waited < 5000; waited += 20) {
      const answer = /heap-used \d+ data (\d+)/.exec(server.output().slice(from));
      if (answer) return Number(answer[1]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no heap figure from the server:\n${server.output()}`);
  }

  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

  /** POST /sessions over node:http (lighter than fetch: the test's own CPU is what it waits for). */
  function login(body: string): Promise<number> {
    const { hostname, port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: hostname, port, path: '/sessions', method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function failLogins(count: number): Promise<void> {
    const end = sent + count;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (sent < end) {
          const status = await login(`email=${sent++}${LONG_EMAIL}%40example.com&password=wrong`);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
  }

  it(`keeps the heap flat over ${WARM_UP + MEASURED} of them (after a forced GC)`, async () => {
    await failLogins(WARM_UP);
    const before = await heapAfterGc();
    await failLogins(MEASURED);
    const after = await heapAfterGc();
    const perLogin = (after - before) / MEASURED;
    console.info(`heap after GC: ${(before / 1e6).toFixed(1)} MB after ${WARM_UP} logins, ${(after / 1e6).toFixed(1)} MB after ${MEASURED} more (${perLogin.toFixed(0)} bytes a login); statuses ${JSON.stringify(statuses)}`);
    // 100 wrong passwords from the one address (LOGIN_FAILURES_PER_IP), the rest refused before any hashing.
    expect(statuses).toEqual({ 401: 100, 429: WARM_UP + MEASURED - 100 });
    // A counter kept per refused login cost about 150 bytes each; what is left (0 to 50 bytes
    // a login from run to run) is V8's bookkeeping of the code it compiles meanwhile.
    expect(perLogin).toBeLessThan(80);
  }, 60_000);
});
