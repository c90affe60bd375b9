import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '@latchkey/runtime';
import { createServices, loadConfig } from '@latchkey/runtime';
import type { SmtpSink } from '../../../packages/adapters/test/support/smtp-sink';
import { decodeQuotedPrintable, startSmtpSink } from '../../../packages/adapters/test/support/smtp-sink';
import { startServerProcess } from '../../../tools/server-process';
import { createApp } from '../src/app';
import { RESET_EMAIL_SENT } from '../src/routes/reset-password';
import { form, listenLocally } from './harness';

interface Running {
  url: string;
  services: Services;
  logged: string[];
  close(): Promise<void>;
}

const TEMPLATE = 'https://app.example.com/reset?token={token}&email={email}';

async function start(smtpUrl: string): Promise<Running> {
  const logged: string[] = [];
  const record = (level: string) => (fields: object, message: string) => logged.push(JSON.stringify({ level, message, ...fields }));
  const config = loadConfig({
    NODE_ENV: 'test',
    BCRYPT_ROUNDS: '4',
    DATABASE_URL: 'sqlite::memory:',
    RESET_TOKEN_DELIVERY: 'email',
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'no-reply@latchkey.test',
    RESET_URL_TEMPLATE: TEMPLATE,
  });
  const services = await createServices(config, {
    logger: { info: record('info'), warn: record('warn'), error: record('error') },
    mailRetry: { attempts: 2, backoffMs: 50 },
  });
  const app = createApp({ auth: services.auth, resetEmails: services.resetEmails, cookie: { secure: false, maxAgeSeconds: 60 }, logError: () => {} });
  const server = await listenLocally(app);
  return {
    url: server.url,
    services,
    logged,
    close: async () => {
      await server.close();
      await services.close();
    },
  };
}

function tokenOf(mail: { raw: string }): string {
  const link = /https:\/\/app\.example\.com\/reset\?[^\s"<]+/.exec(decodeQuotedPrintable(mail.raw))![0].replaceAll('&amp;', '&');
  return new URL(link).searchParams.get('token')!;
}

async function post(url: string, path: string, fields: Record<string, string>, method = 'POST'): Promise<{ status: number; text: string }> {
  const response = await fetch(url + path, { method, ...form(fields) });
  return { status: response.status, text: await response.text() };
}

describe('RESET_TOKEN_DELIVERY=email', () => {
  let sink: SmtpSink | undefined;
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    await sink?.close();
    running = undefined;
    sink = undefined;
  });

  it('sends the token only by email, and the emailed token completes the reset', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    await post(running.url, '/users', { email: 'bob@example.com', password: 'old' });
    const known = await post(running.url, '/reset_password', { email: 'bob@example.com' });
    expect(known).toEqual({ status: 200, text: JSON.stringify({ message: RESET_EMAIL_SENT }) });
    expect(known.text).not.toMatch(/token/);

    const mail = await sink.waitFor(1);
    expect(mail.to).toEqual(['bob@example.com']);
    const link = /https:\/\/app\.example\.com\/reset\?[^\s"<]+/.exec(decodeQuotedPrintable(mail.raw))![0].replaceAll('&amp;', '&');
    const token = new URL(link).searchParams.get('token')!;
    const reset = await post(running.url, '/reset_password', { email: 'bob@example.com', reset_token: token, new_password: 'brand new' }, 'PUT');
    expect(reset.status).toBe(200);
    expect((await post(running.url, '/sessions', { email: 'bob@example.com', password: 'brand new' })).status).toBe(200);
  });

  it('keeps an emailed link working when someone asks for another one', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    await post(running.url, '/users', { email: 'bob@example.com', password: 'old' });
    await post(running.url, '/reset_password', { email: 'bob@example.com' });
    const first = tokenOf(await sink.waitFor(1));
    expect((await post(running.url, '/reset_password', { email: 'bob@example.com' })).status).toBe(200);
    await sink.waitFor(2);
    const reset = await post(running.url, '/reset_password', { email: 'bob@example.com', reset_token: first, new_password: 'brand new' }, 'PUT');
    expect(reset.status).toBe(200);
  });

  it('answers 429 with Retry-After past RESET_REQUESTS_PER_EMAIL (5) and sends no more mail', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    await post(running.url, '/users', { email: 'bob@example.com', password: 'old' });
    for (let i = 0; i < 5; i++) expect((await post(running.url, '/reset_password', { email: 'bob@example.com' })).status).toBe(200);
    const response = await fetch(`${running.url}/reset_password`, { method: 'POST', ...form({ email: 'bob@example.com' }) });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    await sink.waitFor(5);
    await running.services.close();
    expect(sink.received).toHaveLength(5);
    running = undefined;
  });

  it('answers known and unknown emails identically, and mails only the known one', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    await post(running.url, '/users', { email: 'bob@example.com', password: 'old' });
    const unknown = await post(running.url, '/reset_password', { email: 'nobody@example.com' });
    const known = await post(running.url, '/reset_password', { email: 'bob@example.com' });
    expect(unknown).toEqual(known);
    await sink.waitFor(1);
    await running.services.close();
    expect(sink.received.map((m) => m.to)).toEqual([['bob@example.com']]);
    running = undefined;
  });

  it('answers before a slow mail server has accepted the message', async () => {
    sink = await startSmtpSink({ delayMs: 1500 });
    running = await start(sink.url);
    await post(running.url, '/users', { email: 'bob@example.com', password: 'old' });
    expect((await post(running.url, '/reset_password', { email: 'bob@example.com' })).status).toBe(200);
    expect(sink.received).toHaveLength(0);
    await sink.waitFor(1);
  });

  it('answers 200 when the mail server is down, retries, and logs the failure without the token', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    await sink.close();
    sink = undefined;
    await post(running.url, '/users', { email: 'bob@example.com', password: 'old' });
    expect((await post(running.url, '/reset_password', { email: 'bob@example.com' })).status).toBe(200);
    const { services, logged } = running;
    await services.close();
    running = undefined;
    const failure = logged.find((line) => line.includes('reset email could not be delivered'));
    expect(failure).toBeDefined();
    expect(JSON.parse(failure!)).toMatchObject({ level: 'error', to: 'bob@example.com', attempts: 2 });
    expect(failure).not.toMatch(/token=/);
  });
});

describe('start-up in email mode', () => {
  it('refuses to start without the mail settings, naming the missing one', async () => {
    await expect(startServerProcess({ DATABASE_URL: 'sqlite::memory:', NODE_ENV: 'production', RESET_TOKEN_DELIVERY: 'email' })).rejects.toThrow(
      /Invalid RESET_URL_TEMPLATE="": is required when RESET_TOKEN_DELIVERY=email/,
    );
  });

  it('refuses to start when the mail server does not answer', async () => {
    const dead = await startSmtpSink();
    await dead.close();
    await expect(
      startServerProcess({
        DATABASE_URL: 'sqlite::memory:',
        NODE_ENV: 'production',
        RESET_TOKEN_DELIVERY: 'email',
        SMTP_URL: dead.url,
        MAIL_FROM: 'no-reply@latchkey.test',
        RESET_URL_TEMPLATE: TEMPLATE,
      }),
    ).rejects.toThrow(/latchkey: cannot start: mail server at 127\.0\.0\.1:\d+ does not answer/);
  });
});
