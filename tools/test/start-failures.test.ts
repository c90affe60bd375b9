import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_POSTGRES_URL, checkPostgres } from '../../packages/adapters/test/real-services';
import { ROOT, freePort } from '../server-process';

const postgres = await checkPostgres();
const dir = mkdtempSync(join(tmpdir(), 'latchkey-start-failures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the server as `npm start` does and resolves once it has ended. */
function startUntilExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: ROOT,
    // A database file each: servers started at once would otherwise migrate one file together.
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: `sqlite:${join(dir, `${randomBytes(4).toString('hex')}.db`)}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The lines written besides the JSON log: the one line a person reads. */
const plainLines = (output: string) => output.split('\n').filter((line) => line && !line.startsWith('{'));

const closedPort = async () => String(await freePort());
const onPostgres = (url: string) => url.replace(/\/[^/]*$/, `/latchkey_missing_${randomBytes(4).toString('hex')}`);

describe.concurrent('a server that cannot start says why in one line', () => {
  const cases: Array<[string, () => Promise<Record<string, string>>, RegExp, number, boolean?]> = [
    ['database unreachable', async () => ({ DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/db` }), /^database at 127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\)$/, 69],
    ['database missing', async () => ({ DATABASE_URL: onPostgres(TEST_POSTGRES_URL) }), /^database "latchkey_missing_\w+" does not exist \(3D000\)$/, 69, true],
    [
      'authentication refused',
      async () => ({ DATABASE_URL: TEST_POSTGRES_URL.replace(/\/\/[^@/]*@/, '//latchkey_no_such_role@') }),
      /^database refused the connection: .*latchkey_no_such_role.* \(28\w{3}\)$/,
      69,
      true,
    ],
    ['Redis not answering', async () => ({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }), /^Redis at 127\.0\.0\.1:\d+ does not answer \(\w+\)$/, 69],
    [
      'SMTP not answering',
      async () => ({
        RESET_TOKEN_DELIVERY: 'email',
        RESET_URL_TEMPLATE: 'https://app.test/reset?token={token}',
        SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`,
        MAIL_FROM: 'no-reply@latchkey.test',
      }),
      /^mail server at 127\.0\.0\.1:\d+ does not answer \(E\w+\)$/,
      69,
    ],
    ['a bad setting', async () => ({ PORT: 'abc' }), /^Invalid PORT="abc": .* \(config\)$/, 78],
  ];
  for (const [what, env, line, exitCode, needsPostgres] of cases) {
    it.skipIf(needsPostgres === true && !postgres.available)(`${what}: exit ${exitCode}`, async () => {
      const { code, stdout, stderr } = await startUntilExit({ ...(await env()), LOG_LEVEL: 'debug' });
      const lines = plainLines(stdout + stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^latchkey: cannot start: /);
      expect(lines[0]!.slice('latchkey: cannot start: '.length)).toMatch(line);
      expect(code).toBe(exitCode);
      if (exitCode !== 78) expect(stdout).toMatch(/"level":20,[^\n]*"err":\{[^\n]*"stack"[^\n]*"msg":"start failure"/);
    });
  }

  it('the cluster primary stops with the same line and code when its workers cannot start', async () => {
    const { code, stdout, stderr } = await startUntilExit({ WORKERS: '2', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    expect(code).toBe(69);
    expect(plainLines(stdout + stderr)).toEqual([expect.stringMatching(/^latchkey: cannot start: Redis at 127\.0\.0\.1:\d+ does not answer \(\w+\)$/)]);
    // Every other line is JSON, the workers' failures included.
    expect(stdout).toMatch(/"role":"primary"[^\n]*"failure":"latchkey: cannot start: Redis at/);
  });
});
