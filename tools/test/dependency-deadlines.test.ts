/**
 * The server as `npm start` runs it, on a private PostgreSQL and a private Redis that the
 * test freezes: DATABASE_TIMEOUT_MS and REDIS_TIMEOUT_MS bound every answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { privateServices, startPrivatePostgres, startPrivateRedis } from '../../packages/adapters/test/support/private-services';
import type { PrivateService } from '../../packages/adapters/test/support/private-services';
import { startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

const TIMEOUT_MS = 300;
const available = privateServices('postgres').available && privateServices('redis').available;

describe.skipIf(!available)('a server whose PostgreSQL and Redis freeze', () => {
  let postgres: PrivateService | undefined;
  let redis: PrivateService | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await Promise.all([postgres?.stop(), redis?.stop()]);
  });

  it(`answers 503 with Retry-After within about ${TIMEOUT_MS} ms a call, and serves again once they thaw`, async () => {
    [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    server = await startServerProcess({
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      DATABASE_TIMEOUT_MS: String(TIMEOUT_MS),
      REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
      NODE_ENV: 'test',
      BCRYPT_ROUNDS: '4',
    });
    const send = async (method: string, path: string, fields?: Record<string, string>) => {
      const started = performance.now();
      const response = await fetch(`${server!.url}${path}`, {
        method,
        headers: fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        body: fields ? new URLSearchParams(fields).toString() : undefined,
        signal: AbortSignal.timeout(15_000),
      });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), ms: performance.now() - started };
    };
    const account = { email: 'deadline@example.com', password: 'b4l0u' };
    expect((await send('POST', '/users', account)).status).toBe(200);

    redis.freeze();
    const login = await send('POST', '/sessions', account);
    redis.thaw();
    postgres.freeze();
    const register = await send('POST', '/users', { email: 'other@example.com', password: 'b4l0u' });
    const ready = await send('GET', '/readyz');
    postgres.thaw();
    console.info(`frozen Redis: login ${login.status} in ${Math.round(login.ms)} ms; frozen PostgreSQL: registration ${register.status} in ${Math.round(register.ms)} ms`);

    for (const answer of [login, register]) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toMatch(/^[1-9][0-9]*$/);
      expect(answer.ms).toBeLessThan(5 * TIMEOUT_MS + 1000);
    }
    expect(ready.status).toBe(503);
    const deadline = Date.now() + 10_000;
    while ((await send('POST', '/sessions', account)).status !== 200) {
      if (Date.now() > deadline) throw new Error('logins did not come back');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
