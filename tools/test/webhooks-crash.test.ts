import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createKnex } from '@latchkey/adapters';
import { checkPostgres, createScratchDatabase } from '../../packages/adapters/test/real-services';
import type { ScratchDatabase } from '../../packages/adapters/test/real-services';
import { runCliProcess } from '../cli-process';
import { freePort, startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import { until } from './support/waiting';
import { percentile, startWebhookReceiver } from './support/webhook-receiver';
import type { WebhookReceiver } from './support/webhook-receiver';

const postgres = await checkPostgres();
const ENCRYPTION_KEYS = randomBytes(32).toString('base64');

function send(base: string, method: string, path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(new URL(path, base), {
    method,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

function env(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: databaseUrl, NODE_ENV: 'test', BCRYPT_ROUNDS: '4', LOG_LEVEL: 'info', ENCRYPTION_KEYS, WEBHOOK_POLL_MS: '100', ...extra };
}

/** `latchkey webhooks add` as an operator runs it: the endpoint's id and its secret, printed once. */
async function addEndpoint(databaseUrl: string, url: string, events: string): Promise<{ id: number; secret: string }> {
  expect((await runCliProcess(['migrate'], { env: env(databaseUrl) })).code).toBe(0);
  const run = await runCliProcess(['webhooks', 'add', url, '--events', events, '--json'], { env: env(databaseUrl) });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { id: number; secret: string };
}

async function pendingDeliveries(databaseUrl: string): Promise<Array<{ event_id: string; state: string }>> {
  const knex = createKnex(databaseUrl);
  try {
    return (await knex('webhook_deliveries').select('event_id', 'state').where({ state: 'pending' })) as Array<{ event_id: string; state: string }>;
  } finally {
    await knex.destroy();
  }
}

const servers: ServerProcess[] = [];
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  for (const server of servers.splice(0)) if (server.child.exitCode === null) await server.stop('SIGKILL');
  await receiver?.close();
  receiver = undefined;
});

/**
 * A change is answered while the receiver refuses (503): its event is committed with it and
 * tried once; the server is then killed (SIGKILL) before any retry and started again with the
 * receiver accepting. The event arrives, with the webhook-id of the refused attempt, signed
 * with the secret the command line printed.
 */
function crashCase(label: string, databaseUrl: () => string, adminListener = false): void {
  it(`${label}: an event committed before a SIGKILL is delivered after the restart, same webhook-id`, async () => {
    receiver = await startWebhookReceiver();
    receiver.status = 503;
    const { secret } = await addEndpoint(databaseUrl(), receiver.url, 'user.created');
    const settings = env(databaseUrl(), { WEBHOOK_BACKOFF_MS: '2000' });
    let server = await startServerProcess(settings);
    servers.push(server);
    const email = `crash-${Date.now()}@example.com`;
    expect((await send(server.url, 'POST', '/users', { email, password: 'crash-pass' })).status).toBe(200);
    const retried = () => server.output().includes('webhook not delivered; trying again later');
    await until('the refused attempt, its retry stored', () => (retried() ? true : undefined), 15_000);
    expect(await server.stop('SIGKILL')).toBeNull();
    const refusedId = String(receiver.received[0]!.headers['webhook-id']);
    expect(await pendingDeliveries(databaseUrl())).toEqual([{ event_id: refusedId, state: 'pending' }]);

    receiver.status = 204;
    const killedAt = Date.now();
    const adminPort = adminListener ? await freePort() : undefined;
    server = await startServerProcess(adminPort === undefined ? settings : { ...settings, ADMIN_PORT: String(adminPort) });
    servers.push(server);
    await receiver.waitForDelivered(1, 20_000);
    console.log(`${label}: an event committed before SIGKILL arrived ${Date.now() - killedAt} ms after it (restart included)`);
    const [event] = receiver.delivered();
    expect(event).toMatchObject({ id: refusedId, type: 'user.created', data: { email } });
    const headers = { 'webhook-id': refusedId, 'webhook-timestamp': String(event!.headers['webhook-timestamp']), 'webhook-signature': String(event!.headers['webhook-signature']) };
    expect(new Webhook(secret).verify(event!.body, headers)).toMatchObject({ data: { email } });
    // The receiver's answer is marked just after it arrives.
    await until('the delivery marked delivered', async () => ((await pendingDeliveries(databaseUrl())).length === 0 ? true : undefined), 5000);

    const listed = await runCliProcess(['webhooks', 'deliveries', '--json'], { env: env(databaseUrl()) });
    expect(JSON.parse(listed.stdout)).toMatchObject({ deliveries: [{ event_id: refusedId, type: 'user.created', state: 'delivered', attempts: 2, last_status: 204 }] });
    if (adminPort !== undefined) {
      // ADMIN_PORT: the admin API on a listener of its own (127.0.0.1), and not on the public one.
      const { key } = JSON.parse((await runCliProcess(['api-keys', 'create', 'crash test', '--read-only', '--json'], { env: env(databaseUrl()) })).stdout) as { key: string };
      const headers = { authorization: `Bearer ${key}` };
      const found = await fetch(`http://127.0.0.1:${adminPort}/admin/users?email=${encodeURIComponent(email)}`, { headers });
      expect(await found.json()).toMatchObject({ users: [{ email }] });
      expect((await fetch(`${server.url}/admin/users`, { headers })).status).toBe(404);
      expect(server.output()).toContain(`Latchkey admin API listening on http://127.0.0.1:${adminPort}`);
    }
    expect(await server.stop('SIGTERM')).toBe(0);
  });
}

describe('webhooks across a SIGKILL, SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-webhooks-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  crashCase('SQLite', () => `sqlite:${join(dir, 'latchkey.db')}`, true);
});

describe.skipIf(!postgres.available)(`webhooks on PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  const scratches: ScratchDatabase[] = [];
  let crash: ScratchDatabase | undefined;
  beforeAll(async () => {
    crash = await createScratchDatabase();
    scratches.push(crash);
  });
  afterAll(async () => {
    for (const scratch of scratches) await scratch.drop();
  });

  crashCase('PostgreSQL', () => crash!.url);

  it('two instances deliver each of 200 events exactly once between them, each user\'s in order', async () => {
    const scratch = await createScratchDatabase();
    scratches.push(scratch);
    receiver = await startWebhookReceiver();
    await addEndpoint(scratch.url, receiver.url, 'user.created,session.created');
    const settings = env(scratch.url, { LOG_LEVEL: 'debug', WEBHOOK_POLL_MS: '50' });
    const instances = [await startServerProcess(settings), await startServerProcess(settings)];
    servers.push(...instances);
    const users = 100;
    const sentAt = new Map<string, number>();
    // Each user signs up on one instance and logs in on the other: each event is written by one, and either may deliver it.
    await Promise.all(
      [0, 1].map(async (side) => {
        for (let i = side; i < users; i += 2) {
          const email = `pair-${i}@example.com`;
          expect((await send(instances[i % 2]!.url, 'POST', '/users', { email, password: 'pair-pass' })).status).toBe(200);
          sentAt.set(email, performance.timeOrigin + performance.now());
          expect((await send(instances[(i + 1) % 2]!.url, 'POST', '/sessions', { email, password: 'pair-pass' })).status).toBe(200);
        }
      }),
    );
    await receiver.waitForDelivered(2 * users, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const delivered = receiver.delivered();
    const ids = delivered.map((event) => event.id);
    expect(delivered).toHaveLength(2 * users);
    expect(new Set(ids).size).toBe(2 * users);
    expect(receiver.received).toHaveLength(2 * users);
    const byUser = new Map<string, string[]>();
    for (const event of delivered) byUser.set(String(event.data.email), [...(byUser.get(String(event.data.email)) ?? []), event.type]);
    for (const types of byUser.values()) expect(types).toEqual(['user.created', 'session.created']);
    const perInstance = instances.map((instance) => instance.output().split('\n').filter((line) => line.includes('"webhook delivered"')).length);
    expect(perInstance[0]! + perInstance[1]!).toBe(2 * users);
    const logins = delivered.filter((event) => event.type === 'session.created');
    const latencies = logins.map((event) => event.receivedAt - sentAt.get(String(event.data.email))!);
    console.log(
      `PostgreSQL, two instances: ${ids.length} events, ${new Set(ids).size} distinct, delivered ${perInstance.join(' + ')} by instance; ` +
        `login → receipt p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    const knex = createKnex(scratch.url);
    try {
      expect(Number(((await knex('outbox_messages').where({ topic: 'webhook' }).count({ n: '*' }).first()) as { n: unknown }).n)).toBe(0);
      expect(Number(((await knex('webhook_deliveries').whereNot({ state: 'delivered' }).count({ n: '*' }).first()) as { n: unknown }).n)).toBe(0);
    } finally {
      await knex.destroy();
    }
    for (const instance of instances) expect(await instance.stop('SIGTERM')).toBe(0);
  });
});
