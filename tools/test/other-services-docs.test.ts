import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startQuietServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import { codeBlocks, readPage } from './support/markdown-pages';

const page = readPage('docs/other-services.md');
const AUDIENCE = 'orders';
const pythonReady = spawnSync('/usr/bin/python3', ['-c', 'import jwt, cryptography']).status === 0;
const required = process.env.LATCHKEY_REQUIRE_SERVICES === '1';

/** The page's one block of a language, with the service's address for the example's. */
function snippet(lang: string, url: string): string {
  const blocks = codeBlocks(page, lang);
  expect(blocks, lang).toHaveLength(1);
  return blocks[0]!.replaceAll('https://auth.example.com', url);
}

describe('the token checks of docs/other-services.md, run against a server', () => {
  let server: ServerProcess | undefined;
  let token = '';
  let expected: Record<string, unknown> = {};

  beforeAll(async () => {
    server = await startQuietServerProcess({ NODE_ENV: 'test', BCRYPT_ROUNDS: '4', DATABASE_URL: 'sqlite::memory:', JWT_ISSUER: 'http://127.0.0.1', JWT_AUDIENCE: AUDIENCE });
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=ada%40example.com&password=b4l0u' };
    expect((await fetch(`${server.url}/users`, form)).status).toBe(200);
    const cookie = (await fetch(`${server.url}/sessions`, form)).headers.getSetCookie()[0]!.split(';')[0]!;
    const issued = await fetch(`${server.url}/sessions/token`, { method: 'POST', headers: { cookie } });
    token = ((await issued.json()) as { token: string }).token;
    const whoami = (await (await fetch(`${server.url}/sessions/whoami`, { headers: { cookie } })).json()) as { user_id: number; session_id: string };
    expected = { id: String(whoami.user_id), email: 'ada@example.com', session: whoami.session_id };
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The snippet with the key set at the server and the issuer the server was given. */
  const adapted = (lang: string) => snippet(lang, 'http://127.0.0.1').replace('http://127.0.0.1/.well-known/jwks.json', `${server!.url}/.well-known/jwks.json`);

  it('verifies a token with the ten lines of Node', async () => {
    const file = join(ROOT, 'tools', `.other-services-check-${process.pid}.mjs`);
    writeFileSync(file, adapted('js'));
    try {
      const { userOf } = (await import(file)) as { userOf: (token: string) => Promise<Record<string, unknown>> };
      expect(await userOf(token)).toEqual({ ...expected, secondFactor: false });
      await expect(userOf(`${token.slice(0, -4)}AAAA`)).rejects.toThrow(/signature verification failed/);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it.skipIf(!pythonReady && !required)('verifies a token with PyJWT and its PyJWKClient', () => {
    const run = spawnSync('/usr/bin/python3', ['-c', `${adapted('python')}\nimport json, sys\nprint(json.dumps(user_of(sys.argv[1])))`, token], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ...expected, second_factor: false });
    const forged = spawnSync('/usr/bin/python3', ['-c', `${adapted('python')}\nimport sys\nuser_of(sys.argv[1])`, `${token.slice(0, -4)}AAAA`], { encoding: 'utf8' });
    expect(forged.stderr).toMatch(/InvalidSignatureError/);
  });
});
