import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex } from '@latchkey/adapters';
import { checkPostgres, createScratchDatabase } from '../../../packages/adapters/test/real-services';
import type { ScratchDatabase } from '../../../packages/adapters/test/real-services';
import type { TestServer } from './harness';
import { form, startTestServer } from './harness';

const postgres = await checkPostgres();

describe.skipIf(!postgres.available)(`a PostgreSQL session lookup past its deadline${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  let server: TestServer;
  let cookie: string;

  beforeAll(async () => {
    database = await createScratchDatabase();
    // The deadline of prepared reads comes from the connection's statement_timeout (DATABASE_TIMEOUT_MS).
    server = await startTestServer({}, { databaseUrl: database.url, databaseTimeoutMs: 300 });
    await fetch(`${server.url}/users`, { method: 'POST', ...form({ email: 'slow@example.com', password: 'b4l0u' }) });
    const login = await fetch(`${server.url}/sessions`, { method: 'POST', ...form({ email: 'slow@example.com', password: 'b4l0u' }) });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('answers 503 with Retry-After within the deadline while the table is locked, then 200 again', async () => {
    const locker = createKnex(database.url, { poolMax: 1 });
    try {
      const trx = await locker.transaction();
      await trx.raw('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const began = Date.now();
      const refused = await fetch(`${server.url}/profile`, { headers: { cookie } });
      expect(Date.now() - began).toBeLessThan(2000);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await refused.json()).toEqual({ message: 'service unavailable; try again later', code: 'dependency_unavailable' });
      await trx.commit();
      const answered = await fetch(`${server.url}/profile`, { headers: { cookie } });
      expect(answered.status).toBe(200);
    } finally {
      await locker.destroy();
    }
  });
});
