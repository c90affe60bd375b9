import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPostgres, createScratchDatabase } from '../../../packages/adapters/test/real-services';
import type { ScratchDatabase } from '../../../packages/adapters/test/real-services';
import type { TestServer } from './harness';
import { form, startTestServer } from './harness';

const postgres = await checkPostgres();

// The adapters' pg (node-postgres): every statement Latchkey sends goes through Client#query.
interface PgClient {
  prototype: { query: (...args: unknown[]) => unknown };
}
const { Client } = createRequire(new URL('../../../packages/adapters/package.json', import.meta.url))('pg') as { Client: PgClient };

/** The SQL text of each statement the process sends while `work` runs (one round trip each). */
async function statementsOf(work: () => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  const query = Client.prototype.query;
  Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const [config] = args;
    sent.push(typeof config === 'string' ? config : String((config as { text?: unknown }).text));
    return query.apply(this, args);
  };
  try {
    await work();
  } finally {
    Client.prototype.query = query;
  }
  return sent;
}

describe.skipIf(!postgres.available)(`statements of a cookie check on PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  let server: TestServer;
  let cookie: string;
  let now = Date.UTC(2026, 0, 1);

  beforeAll(async () => {
    database = await createScratchDatabase();
    server = await startTestServer({ clock: { now: () => now } }, { databaseUrl: database.url });
    await fetch(`${server.url}/users`, { method: 'POST', ...form({ email: 'counted@example.com', password: 'b4l0u' }) });
    const login = await fetch(`${server.url}/sessions`, { method: 'POST', ...form({ email: 'counted@example.com', password: 'b4l0u' }) });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('GET /profile and GET /sessions/whoami each send one SELECT, no transaction and no write, within the touch interval', async () => {
    const sent = await statementsOf(async () => {
      for (let i = 0; i < 10; i++) {
        expect((await fetch(`${server.url}/profile`, { headers: { cookie } })).status).toBe(200);
        expect((await fetch(`${server.url}/sessions/whoami`, { headers: { cookie } })).status).toBe(200);
      }
    });
    expect(sent).toHaveLength(20);
    for (const text of sent) expect(text).toMatch(/^SELECT .* FROM sessions s JOIN users u ON u\.id = s\.user_id WHERE s\.secret_digest = \$1$/);
  });

  it('a session last seen a touch interval ago is written once, by a conditional UPDATE, then read alone again', async () => {
    now += 61_000;
    const sent = await statementsOf(async () => {
      for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/profile`, { headers: { cookie } })).status).toBe(200);
    });
    expect(sent).toHaveLength(4);
    expect(sent.filter((text) => /^update sessions set last_seen_at = CAST\(\$1 AS BIGINT\) WHERE id = \$2 AND last_seen_at < CAST\(\$3 AS BIGINT\)/i.test(text))).toHaveLength(1);
    expect(sent.filter((text) => /^(begin|commit)/i.test(text))).toHaveLength(0);
  });
});
