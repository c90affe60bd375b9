/**
 * The SPEC A4 acceptance scenario, run against a started server exactly as a client would:
 *   npx tsx tools/acceptance.ts [base-url] [--seed-email]     (default http://127.0.0.1:5000)
 * By default each run registers a fresh address and locks it afterwards, so the scenario
 * runs again and again against one server and leaves no account whose password is public;
 * --seed-email runs it as written, with guillaume@holberton.io.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const SEED_EMAIL = 'guillaume@holberton.io';
const EMAIL = SEED_EMAIL;
const PASSWD = 'b4l0u';
const NEW_PASSWD = 't4rt1fl3tt3';

export class ScenarioError extends Error {}

interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * A route of the service at `base`, which may be a proxy's path prefix
 * (`https://example.com/auth/users`); a Location the server answered is taken as it is.
 */
function resolve(base: string, path: string): URL {
  if (/^[a-z]+:/i.test(path)) return new URL(path);
  return new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
}

async function send(base: string, method: string, path: string, fields?: Record<string, string>, sessionId?: string): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (fields) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (sessionId) headers.cookie = `session_id=${sessionId}`;
  const response = await fetch(resolve(base, path), {
    method,
    headers,
    body: fields ? new URLSearchParams(fields).toString() : undefined,
    redirect: 'manual',
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Redirects carry a text body.
  }
  return { status: response.status, body, headers: response.headers };
}

function expectReply(step: string, reply: Reply, status: number, body?: unknown): void {
  if (reply.status !== status) throw new ScenarioError(`${step}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`);
  if (body !== undefined && JSON.stringify(reply.body) !== JSON.stringify(body)) {
    throw new ScenarioError(`${step}: expected ${JSON.stringify(body)}, got ${JSON.stringify(reply.body)}`);
  }
}

function sessionCookie(reply: Reply): string {
  const cookie = reply.headers.getSetCookie().find((c) => c.startsWith('session_id='));
  const value = cookie?.split(';')[0]?.slice('session_id='.length);
  if (!value) throw new ScenarioError('log in: no session_id cookie');
  return value;
}

/** Runs every step; throws ScenarioError at the first that differs from the contract. */
export async function runAcceptance(base: string, log: (line: string) => void = () => {}, email = EMAIL): Promise<void> {
  const step = async (name: string, run: () => Promise<void>) => {
    await run();
    log(`ok  ${name}`);
  };
  let sessionId = '';
  let token = '';
  await step('register', async () =>
    expectReply('register', await send(base, 'POST', '/users', { email, password: PASSWD }), 200, { email, message: 'user created' }),
  );
  await step('log in with a wrong password: 401', async () =>
    expectReply('wrong password', await send(base, 'POST', '/sessions', { email, password: 'wrong' }), 401),
  );
  await step('profile without a cookie: 403', async () => expectReply('profile unlogged', await send(base, 'GET', '/profile'), 403));
  await step('log in', async () => {
    const reply = await send(base, 'POST', '/sessions', { email, password: PASSWD });
    expectReply('log in', reply, 200, { email, message: 'logged in' });
    sessionId = sessionCookie(reply);
  });
  await step('profile', async () =>
    expectReply('profile', await send(base, 'GET', '/profile', undefined, sessionId), 200, { email }),
  );
  await step('log out: redirect to /, which answers Bienvenue', async () => {
    const reply = await send(base, 'DELETE', '/sessions', undefined, sessionId);
    expectReply('log out', reply, 302);
    // The Location is the server's (or its proxy's) own path, not one under base.
    const location = new URL(reply.headers.get('location') ?? '', base).href;
    expectReply('after log out', await send(base, 'GET', location), 200, { message: 'Bienvenue' });
  });
  await step('ask for a reset token', async () => {
    const reply = await send(base, 'POST', '/reset_password', { email });
    expectReply('reset token', reply, 200);
    token = String((reply.body as { reset_token?: unknown }).reset_token ?? '');
    expectReply('reset token', reply, 200, { email, reset_token: token });
    if (!token) throw new ScenarioError('reset token: empty token');
  });
  await step('update the password', async () =>
    expectReply(
      'update password',
      await send(base, 'PUT', '/reset_password', { email, reset_token: token, new_password: NEW_PASSWD }),
      200,
      { email, message: 'Password updated' },
    ),
  );
  await step('log in with the new password', async () =>
    expectReply('log in again', await send(base, 'POST', '/sessions', { email, password: NEW_PASSWD }), 200, { email, message: 'logged in' }),
  );
}

/** An address no earlier run used, on a domain reserved for examples. */
export function freshEmail(): string {
  return `acceptance-${randomBytes(6).toString('hex')}@example.com`;
}

/**
 * Leaves the account the scenario created usable by nobody: its password, printed in this
 * file, is replaced through the reset flow by a random one that is never shown, which also
 * ends its sessions. (The API has no account deletion.)
 */
export async function lockAccount(base: string, email: string): Promise<void> {
  const reply = await send(base, 'POST', '/reset_password', { email });
  expectReply('lock: reset token', reply, 200);
  const token = String((reply.body as { reset_token?: unknown }).reset_token ?? '');
  const password = randomBytes(24).toString('base64url');
  expectReply('lock: new password', await send(base, 'PUT', '/reset_password', { email, reset_token: token, new_password: password }), 200);
}

async function main(args: string[]): Promise<void> {
  const seed = args.includes('--seed-email');
  const base = args.find((arg) => !arg.startsWith('--')) ?? 'http://127.0.0.1:5000';
  const email = seed ? SEED_EMAIL : freshEmail();
  await runAcceptance(base, (line) => console.log(line), email);
  if (!seed) await lockAccount(base, email);
  console.log(`Acceptance scenario passed against ${base} as ${email}${seed ? '' : ' (account locked: its password replaced by a random one)'}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
