import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKnex } from '@latchkey/adapters';
import { checkPostgres, createScratchDatabase } from '../../packages/adapters/test/real-services';
import type { ScratchDatabase } from '../../packages/adapters/test/real-services';
import type { ReceivedMail, SmtpSink } from '../../packages/adapters/test/support/smtp-sink';
import { decodeQuotedPrintable, startSmtpSink } from '../../packages/adapters/test/support/smtp-sink';
import { startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import { until } from './support/waiting';

const postgres = await checkPostgres();

const VERIFY = 'https://app.example.com/verify?token={token}';
const RESET = 'https://app.example.com/reset?token={token}';

function send(base: string, method: string, path: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (cookie) headers.cookie = `session_id=${cookie}`;
  return fetch(new URL(path, base), { method, headers, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

function sessionCookie(response: Response): string {
  return response.headers.getSetCookie().find((c) => c.startsWith('session_id='))?.split(';')[0]?.slice('session_id='.length) ?? '';
}

function subjectOf(mail: ReceivedMail): string {
  return /^Subject: (.*)$/m.exec(mail.raw)![1]!;
}

function tokenOf(mail: ReceivedMail): string {
  return decodeURIComponent(/token=([A-Za-z0-9_%-]+)/.exec(decodeQuotedPrintable(mail.raw))![1]!);
}

/**
 * The changes that send mail, made while the mail server refuses every message (451): each
 * email is committed with its change and tried once; then the server is killed (SIGKILL)
 * before any retry, and started again with the mail server accepting. Every email arrives,
 * and its link works.
 */
function crashCases(databaseUrl: () => string, label: string): void {
  let sink: SmtpSink;
  let server: ServerProcess | undefined;
  const outputs: string[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterEach(async () => {
    if (server) outputs.push(server.output());
    if (server?.child.exitCode === null) await server.stop('SIGKILL');
    server = undefined;
  });
  afterAll(async () => {
    await sink?.close();
  });

  const env = () => ({
    DATABASE_URL: databaseUrl(),
    NODE_ENV: 'test',
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'info',
    SMTP_URL: sink.url,
    MAIL_FROM: 'no-reply@latchkey.test',
    EMAIL_VERIFICATION: 'optional',
    VERIFY_URL_TEMPLATE: VERIFY,
    RESET_TOKEN_DELIVERY: 'email',
    RESET_URL_TEMPLATE: RESET,
  });

  it(`${label}: mail committed with its change survives a SIGKILL before it is sent, and arrives after the restart`, async () => {
    const email = `crash-${Date.now()}@example.com`;
    server = await startServerProcess(env());
    sink.refusing = true;
    expect((await send(server.url, 'POST', '/users', { email, password: 'first-pass' })).status).toBe(200);
    const login = await send(server.url, 'POST', '/sessions', { email, password: 'first-pass' });
    expect(login.status).toBe(200);
    const cookie = sessionCookie(login);
    expect((await send(server.url, 'PUT', '/profile/password', { current_password: 'first-pass', new_password: 'second-pass' }, cookie)).status).toBe(200);
    expect((await send(server.url, 'POST', '/reset_password', { email })).status).toBe(200);

    // Each of the three emails reached the mail server once, was refused, and its next try was
    // stored (the log line follows that write): committed, unsent. A process killed in the
    // middle of a send would leave its message leased instead, to be sent after the lease.
    const retried = () => server!.output().split('\n').filter((line) => line.includes('outgoing message not delivered; trying again later')).length;
    await until('three refused emails, their next tries stored', () => (retried() >= 3 ? true : undefined), 15_000);
    expect(sink.refused).toBe(3);
    const killedAt = Date.now();
    expect(await server.stop('SIGKILL')).toBeNull();
    outputs.push(server.output());
    server = undefined;
    const pending = await pendingMail(databaseUrl());
    expect(pending.map((row) => row.kind).sort()).toEqual(['password_changed', 'reset_link', 'verification_link']);
    expect(sink.received.filter((mail) => mail.to.includes(email))).toEqual([]);

    sink.refusing = false;
    server = await startServerProcess(env());
    const arrived = await until(
      'the three emails after the restart',
      () => {
        const mine = sink.received.filter((mail) => mail.to.includes(email));
        return mine.length >= 3 ? mine : undefined;
      },
      20_000,
    );
    const afterMs = Date.now() - killedAt;
    const bySubject = new Map(arrived.map((mail) => [subjectOf(mail), mail]));
    expect([...bySubject.keys()].sort()).toEqual(['Confirm your Latchkey email address', 'Reset your Latchkey password', 'Your Latchkey password was changed']);
    console.log(`${label}: 3 emails committed before SIGKILL arrived ${afterMs} ms after it (restart included)`);

    // The links work: the verification link verifies, the reset link resets.
    expect((await send(server.url, 'POST', '/verify_email', { token: tokenOf(bySubject.get('Confirm your Latchkey email address')!) })).status).toBe(200);
    const resetToken = tokenOf(bySubject.get('Reset your Latchkey password')!);
    expect((await send(server.url, 'PUT', '/reset_password', { email, reset_token: resetToken, new_password: 'third-pass' })).status).toBe(200);
    expect((await send(server.url, 'POST', '/sessions', { email, password: 'third-pass' })).status).toBe(200);
    await until('the reset notice', () => (sink.received.filter((mail) => mail.to.includes(email)).length >= 4 ? true : undefined));
    expect(await pendingMail(databaseUrl())).toEqual([]);
    expect(await server.stop('SIGTERM')).toBe(0);

    // Neither run logged a token (they log the message's id, kind and recipient).
    const logs = [...outputs, server.output()].join('\n');
    expect(logs).toContain('outgoing message not delivered; trying again later');
    expect(logs).not.toContain(resetToken);
    server = undefined;
  });
}

describe('the outbox at a graceful shutdown, SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-outbox-drain-'));
  let sink: SmtpSink;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    sink = await startSmtpSink({ refusing: true });
  });
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL');
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on SIGTERM tries what comes due within the drain deadline, leaves the rest stored, exits 0 in time; the next start sends it', async () => {
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'drain.db')}`,
      NODE_ENV: 'test',
      BCRYPT_ROUNDS: '4',
      SMTP_URL: sink.url,
      MAIL_FROM: 'no-reply@latchkey.test',
      RESET_TOKEN_DELIVERY: 'email',
      RESET_URL_TEMPLATE: RESET,
      SHUTDOWN_TIMEOUT_SECONDS: '10',
    };
    server = await startServerProcess(env);
    expect((await send(server.url, 'POST', '/users', { email: 'drain@example.com', password: 'pw' })).status).toBe(200);
    expect((await send(server.url, 'POST', '/reset_password', { email: 'drain@example.com' })).status).toBe(200);
    const retries = () => server!.output().split('\n').filter((line) => line.includes('outgoing message not delivered')).length;
    await until('the first refusal', () => (retries() >= 1 ? true : undefined), 15_000);
    const stopping = Date.now();
    expect(await server.stop('SIGTERM')).toBe(0);
    const stoppedMs = Date.now() - stopping;
    // Its second try came due 2 s later, within the drain's 5 s: tried (refused again); the third, 4 s on, is left.
    expect(retries()).toBe(2);
    expect(stoppedMs).toBeLessThan(5000 + 2000);
    expect(await pendingMail(env.DATABASE_URL)).toEqual([{ kind: 'reset_link', attempts: 2 }]);
    console.log(`SIGTERM with a refused email: stopped after ${stoppedMs} ms (drain deadline 5000 ms), the email left stored after 2 tries`);

    sink.refusing = false;
    server = await startServerProcess(env);
    const mail = await sink.waitFor(1, 15_000);
    expect(mail.to).toEqual(['drain@example.com']);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
  });
});

async function pendingMail(databaseUrl: string): Promise<Array<{ kind: string; attempts: number }>> {
  const knex = createKnex(databaseUrl, { poolMax: 1 });
  try {
    return (await knex('outbox_messages').select('kind', 'attempts').where({ topic: 'mail', state: 'pending' })) as Array<{ kind: string; attempts: number }>;
  } finally {
    await knex.destroy();
  }
}

describe('the outbox across a crash, SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-outbox-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  crashCases(() => `sqlite:${join(dir, 'crash.db')}`, 'SQLite');
});

describe.skipIf(!postgres.available)(`the outbox across a crash, PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  crashCases(() => database.url, 'PostgreSQL');
});
