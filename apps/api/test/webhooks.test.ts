import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_EVENT_TYPES } from '@latchkey/domain';
import type { ReceivedMail, SmtpSink } from '../../../packages/adapters/test/support/smtp-sink';
import { decodeQuotedPrintable, startSmtpSink } from '../../../packages/adapters/test/support/smtp-sink';
import { percentile, startWebhookReceiver } from '../../../tools/test/support/webhook-receiver';
import type { WebhookReceiver } from '../../../tools/test/support/webhook-receiver';
import type { TestServer, TestServerOptions } from './harness';
import { form, sessionCookie, startTestServer } from './harness';
import { PASSKEY_SETTINGS, passkeysClient } from './passkeys-client';
import { SoftwareAuthenticator } from '../../../packages/adapters/test/support/software-authenticator';
import { secondFactorClient } from './second-factor-client';

const VERIFY = 'https://app.example.com/verify?token={token}';
const CHANGE = 'https://app.example.com/change-email?token={token}';
/** Fast retries and polls: a test's receiver comes back within milliseconds. */
const QUICK = { pollIntervalMs: 50, backoffMs: 20 };

let sink: SmtpSink;
let receiver: WebhookReceiver;
let server: TestServer | undefined;

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
});
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = undefined;
});

async function start(options: TestServerOptions = {}): Promise<TestServer> {
  receiver = await startWebhookReceiver();
  server = await startTestServer(
    {},
    {
      dispatch: true,
      webhooks: { settings: QUICK },
      ...options,
      settings: {
        ENCRYPTION_KEYS: [randomBytes(32).toString('base64')],
        SMTP_URL: sink.url,
        MAIL_FROM: 'no-reply@latchkey.test',
        EMAIL_VERIFICATION: 'optional',
        VERIFY_URL_TEMPLATE: VERIFY,
        EMAIL_CHANGE_URL_TEMPLATE: CHANGE,
        ...PASSKEY_SETTINGS,
        ...options.settings,
      },
    },
  );
  return server;
}

async function call(method: string, path: string, fields?: Record<string, string>, cookie?: string): Promise<Response> {
  const init = fields ? form(fields) : { headers: {} };
  const headers = { ...(init.headers as Record<string, string>), ...(cookie ? { cookie: `session_id=${cookie}` } : {}) };
  return fetch(server!.url + path, { ...init, method, headers, redirect: 'manual' });
}

async function mailTo(to: string, nth = 1): Promise<ReceivedMail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = sink.received.filter((mail) => mail.to.some((address) => address.toLowerCase() === to.toLowerCase()));
    if (found.length >= nth) return found[nth - 1]!;
    if (Date.now() > deadline) throw new Error(`no mail ${nth} to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function tokenOf(mail: ReceivedMail): string {
  return decodeURIComponent(/token=([A-Za-z0-9_%-]+)/.exec(decodeQuotedPrintable(mail.raw))![1]!);
}

/** The request's webhook headers, as Webhook.verify takes them. */
function headersOf(delivered: { headers: Record<string, unknown> }): Record<string, string> {
  const { headers } = delivered;
  return { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) };
}

describe('webhooks delivered to a real receiver on 127.0.0.1', () => {
  it('delivers every event type, each verified by the Standard Webhooks library, in the order of the changes', async () => {
    await start();
    const { secret } = await server!.webhooks.add(receiver.url);
    const email = `hooks-${Date.now()}@example.com`;
    const moved = `moved-${Date.now()}@example.com`;
    const password = 'first-pass';
    expect((await call('POST', '/users', { email, password })).status).toBe(200);
    expect((await call('POST', '/verify_email', { token: tokenOf(await mailTo(email)) })).status).toBe(200);
    const first = sessionCookie(await call('POST', '/sessions', { email, password }))!;
    const second = sessionCookie(await call('POST', '/sessions', { email, password }))!;
    expect((await call('PUT', '/profile/password', { current_password: password, new_password: 'second-pass' }, first)).status).toBe(200);
    expect((await call('PUT', '/profile/email', { password: 'second-pass', new_email: moved }, first)).status).toBe(200);
    expect((await call('POST', '/profile/email/confirm', { token: tokenOf(await mailTo(moved)) })).status).toBe(200);
    const totp = secondFactorClient(() => server!);
    const { recoveryCodes } = await totp.enrol(first, Date.now());
    const again = sessionCookie(await call('POST', '/sessions', { email: moved, password: 'second-pass' }));
    expect(again).toBeUndefined(); // the second factor now asks for a code: no session, no event
    expect((await call('DELETE', '/profile/totp', { password: 'second-pass', code: recoveryCodes[0]! }, first)).status).toBe(200);
    const passkeys = passkeysClient(() => server!);
    const passkey = await passkeys.addPasskey(first, new SoftwareAuthenticator(), 'Laptop');
    expect((await passkeys.call('DELETE', `/profile/passkeys/${String(passkey.id)}`, { session_id: first })).status).toBe(204);
    expect((await call('DELETE', '/profile', { password: 'second-pass' }, first)).status).toBe(200);

    const expected = [
      'user.created',
      'user.email_verified',
      'session.created',
      'session.created',
      'user.password_changed',
      'session.revoked', // the second session, ended by the change of password
      'user.email_changed',
      'second_factor.enabled',
      'second_factor.disabled',
      'passkey.added',
      'passkey.removed',
      'user.deleted',
    ];
    await receiver.waitForDelivered(expected.length);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const delivered = receiver.delivered();
    expect(delivered.map((d) => d.type)).toEqual(expected);
    const settled = Date.now() + 5000;
    while ((await server!.webhooks.deliveries({ state: 'pending', limit: 1 })).length > 0 && Date.now() < settled) await new Promise((r) => setTimeout(r, 10));
    expect(new Set(delivered.map((d) => d.type))).toEqual(new Set(WEBHOOK_EVENT_TYPES));
    const verifier = new Webhook(secret);
    for (const event of delivered) {
      expect(verifier.verify(event.body, headersOf(event))).toMatchObject({ type: event.type });
      expect(Object.keys(JSON.parse(event.body) as object)).toEqual(['type', 'timestamp', 'data']);
      expect(event.headers['content-type']).toBe('application/json');
      expect(String(event.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(event.data.user_id).toBe(delivered[0]!.data.user_id);
    }
    expect(delivered[0]!.data).toEqual({ user_id: delivered[0]!.data.user_id, email });
    expect(delivered[6]!.data).toMatchObject({ email: moved, previous_email: email });
    expect(delivered[2]!.data.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivered[5]!.data).toMatchObject({ reason: 'password_changed' });
    expect(delivered.at(-1)!.data).toMatchObject({ email: moved, by: 'owner' });
    // Never a secret: no cookie, token, hash or code in any body.
    const bodies = delivered.map((d) => d.body).join('\n');
    for (const secretValue of [first, second, password, 'second-pass', recoveryCodes[0]!]) expect(bodies).not.toContain(secretValue);
    expect(bodies).not.toMatch(/hash|token|secret/i);
    expect(await server!.webhooks.deliveries({ state: 'pending', limit: 10 })).toEqual([]);
  });

  it('retries with the same webhook-id and a fresh timestamp: three failures (a redirect among them, not followed), then the event', async () => {
    let offset = 0;
    await start({ webhooks: { settings: QUICK, clock: { now: () => Date.now() + offset } } });
    const elsewhere = await startWebhookReceiver();
    try {
      const { secret } = await server!.webhooks.add(receiver.url, ['user.created']);
      receiver.script = [503, 'redirect', 500];
      receiver.redirectTo = elsewhere.url;
      const failed = receiver.received.length;
      // Each failure moves the service's clock on by 1.5 s: the next attempt's timestamp must differ.
      const tick = setInterval(() => {
        if (receiver.received.length > failed) offset = 1500 * receiver.received.length;
      }, 5);
      try {
        expect((await call('POST', '/users', { email: `retry-${Date.now()}@example.com`, password: 'pass-retry' })).status).toBe(200);
        await receiver.waitForDelivered(1);
      } finally {
        clearInterval(tick);
      }
      expect(receiver.received.map((r) => r.status)).toEqual([503, 302, 500, 204]);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      const timestamps = receiver.received.map((r) => Number(r.headers['webhook-timestamp']));
      expect(new Set(timestamps).size).toBe(4);
      expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
      expect(elsewhere.received).toEqual([]);
      expect(new Webhook(secret).verify(receiver.received[3]!.body, headersOf(receiver.received[3]!))).toMatchObject({ type: 'user.created' });
      // The answer is marked just after the receiver has it.
      const deadline = Date.now() + 5000;
      while ((await server!.webhooks.deliveries({ limit: 1 }))[0]?.state === 'pending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const [delivery] = await server!.webhooks.deliveries({ limit: 1 });
      expect(delivery).toMatchObject({ state: 'delivered', attempts: 4, lastStatus: 204 });
    } finally {
      await elsewhere.close();
    }
  });

  it("holds a user's later events while an earlier one fails; other users' events go meanwhile", async () => {
    await start();
    await server!.webhooks.add(receiver.url, ['user.created', 'session.created']);
    const held = `held-${Date.now()}@example.com`;
    receiver.script = [500, 500];
    expect((await call('POST', '/users', { email: held, password: 'pass-held' })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await call('POST', '/sessions', { email: held, password: 'pass-held' })).status).toBe(200);
    await receiver.waitForDelivered(4);
    const delivered = receiver.delivered();
    expect(delivered.map((d) => d.type)).toEqual(['user.created', 'session.created', 'session.created', 'session.created']);
    expect(receiver.received.slice(0, 3).map((r) => JSON.parse(r.body).type)).toEqual(['user.created', 'user.created', 'user.created']);
  });

  it('signs with both secrets during a rotation, each verifying alone; replays a failed delivery with its webhook-id', async () => {
    await start({ webhooks: { settings: { ...QUICK, retryMs: 150 } } });
    const { endpoint, secret: before } = await server!.webhooks.add(receiver.url, ['user.created']);
    const { secret: after } = await server!.webhooks.rotateSecret(endpoint.id);
    receiver.status = 500;
    expect((await call('POST', '/users', { email: `rotate-${Date.now()}@example.com`, password: 'pass-rotate' })).status).toBe(200);
    const deadline = Date.now() + 5000;
    while ((await server!.webhooks.deliveries({ state: 'failed', limit: 1 })).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [failed] = await server!.webhooks.deliveries({ state: 'failed', limit: 1 });
    expect(failed).toMatchObject({ lastStatus: 500, lastError: 'HTTP 500' });
    receiver.status = 204;
    await server!.webhooks.replay(failed!.id);
    await receiver.waitForDelivered(1);
    const [event] = receiver.delivered();
    expect(event!.id).toBe(failed!.eventId);
    expect(String(event!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [before, after]) expect(new Webhook(secret).verify(event!.body, headersOf(event!))).toMatchObject({ type: 'user.created' });
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(event!.body, headersOf(event!))).toThrow();
  });

  it('refuses endpoint URLs other than https:// or http:// to this machine', async () => {
    await start();
    for (const url of ['http://example.com/hook', 'ftp://127.0.0.1/x', 'http://10.0.0.1/hook', 'not a url', 'https://user:pw@example.com/']) {
      await expect(server!.webhooks.add(url)).rejects.toMatchObject({ code: 'invalid_input' });
    }
    await expect(server!.webhooks.add('https://example.com/hook', ['user.nope'])).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await server!.webhooks.add('http://localhost:9/hook')).endpoint.url).toBe('http://localhost:9/hook');
  });

  it('measures delivery latency from change to receipt (idle machine, SQLite in memory)', async () => {
    await start();
    await server!.webhooks.add(receiver.url, ['user.created']);
    const sentAt = new Map<string, number>();
    const count = 100;
    for (let i = 0; i < count; i++) {
      const email = `latency-${i}-${Date.now()}@example.com`;
      sentAt.set(email, performance.timeOrigin + performance.now());
      expect((await call('POST', '/users', { email, password: 'pass-latency' })).status).toBe(200);
    }
    await receiver.waitForDelivered(count);
    const latencies = receiver.delivered().map((d) => d.receivedAt - sentAt.get(String(d.data.email))!);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`webhook latency, change to receipt (SQLite in memory, ${count} sign-ups): p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    expect(p99).toBeLessThan(1000);
  });
});
