/**
 * A passkey sign-in against a password sign-in, on the real server (apps/api/src/main.ts
 * as a process, SQLite file, bcrypt at BCRYPT_ROUNDS on its threads): the median and p90
 * of N sequential sign-ins of each, as a client times them. The passkey's figure is the
 * server's part of the ceremony (POST /sessions/passkey/options, then POST
 * /sessions/passkey); the software authenticator's own signing, between the two, is left
 * out, as a browser's would be.
 *
 *   npx tsx tools/bench/passkey-sign-in.ts [--rounds 12] [--count 50] [--algorithm ES256|EdDSA]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SoftwareAuthenticator } from '../../packages/adapters/test/support/software-authenticator';
import type { Algorithm } from '../../packages/adapters/test/support/software-authenticator';
import { startQuietServerProcess } from '../server-process';

const ORIGIN = 'http://localhost:5000';
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '12' }, count: { type: 'string', default: '50' }, algorithm: { type: 'string', default: 'ES256' } } });
const count = Number(values.count);

const dir = mkdtempSync(join(tmpdir(), 'latchkey-passkey-bench-'));
const server = await startQuietServerProcess({
  NODE_ENV: 'development',
  DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
  ENCRYPTION_KEYS: Buffer.alloc(32, 1).toString('base64'),
  BCRYPT_ROUNDS: values.rounds,
  WEBAUTHN_RP_ID: 'localhost',
  WEBAUTHN_ORIGINS: ORIGIN,
});

async function post(path: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
}

function cookieOf(response: Response, name: string): string {
  const header = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!header) throw new Error(`no ${name} cookie (status ${response.status})`);
  return header.split(';')[0]!;
}

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms`;
}

try {
  const email = 'bench@example.com';
  await post('/users', { email, password: 'bench-password-1' });
  const session = cookieOf(await post('/sessions', { email, password: 'bench-password-1' }), 'session_id');
  const authenticator = new SoftwareAuthenticator({ algorithm: values.algorithm as Algorithm });
  const options = (await (await post('/profile/passkeys/options', {}, session)).json()) as Record<string, unknown>;
  const added = await post('/profile/passkeys', { response: authenticator.register(options, { origin: ORIGIN }) }, session);
  if (added.status !== 201) throw new Error(`registration answered ${added.status}`);

  const password: number[] = [];
  const passkey: number[] = [];
  const verifyOnly: number[] = [];
  for (let i = 0; i < count; i++) {
    let started = performance.now();
    const loggedIn = await post('/sessions', { email, password: 'bench-password-1' });
    password.push(performance.now() - started);
    if (loggedIn.status !== 200) throw new Error(`password sign-in answered ${loggedIn.status}`);

    started = performance.now();
    const asked = await post('/sessions/passkey/options', {});
    const ceremony = cookieOf(asked, 'passkey_ceremony');
    const request = (await asked.json()) as Record<string, unknown>;
    const optionsTime = performance.now() - started;
    const assertion = authenticator.assert(request, { origin: ORIGIN });
    started = performance.now();
    const signedIn = await post('/sessions/passkey', { response: assertion }, ceremony);
    const verifyTime = performance.now() - started;
    if (signedIn.status !== 200) throw new Error(`passkey sign-in answered ${signedIn.status}`);
    passkey.push(optionsTime + verifyTime);
    verifyOnly.push(verifyTime);
  }
  console.log(`${count} sign-ins each, bcrypt cost ${values.rounds}, ${values.algorithm} passkey, SQLite file:`);
  console.log(`  password (POST /sessions):                       ${summary(password)}`);
  console.log(`  passkey (options + POST /sessions/passkey):      ${summary(passkey)}`);
  console.log(`  passkey, POST /sessions/passkey alone:           ${summary(verifyOnly)}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
