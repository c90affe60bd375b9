import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL, checkRedis, uniqueKeyPrefix } from '../../../packages/adapters/test/real-services';
import type { TestServer } from './harness';
import { startTestServer } from './harness';
import { SteppedClock, secondFactorClient } from './second-factor-client';
import { referenceTotp } from '../../../packages/adapters/test/support/totp-reference';

const redis = await checkRedis();

describe.skipIf(!redis.available)(`wrong codes across two instances on Redis${redis.available ? '' : ` (skipped: ${redis.reason})`}`, () => {
  const servers: TestServer[] = [];
  let dir: string;
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('5 wrong codes split between two instances end the pending login; the password and other accounts are unaffected', async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-second-factor-redis-'));
    const databaseUrl = `sqlite:${join(dir, 'shared.db')}`;
    // Two instances as deployed: one database, one Redis, one key; 5 wrong codes per account.
    const settings = {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: uniqueKeyPrefix('second-factor'),
      ENCRYPTION_KEYS: [randomBytes(32).toString('base64')],
      SECOND_FACTOR_FAILURES_PER_ACCOUNT: 5,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
    };
    const clock = new SteppedClock();
    for (let i = 0; i < 2; i++) servers.push(await startTestServer({ clock }, { databaseUrl, settings }));
    const [a, b] = [secondFactorClient(() => servers[0]!), secondFactorClient(() => servers[1]!)];
    await a.register('ada@example.com');
    await a.register('bob@example.com');
    const ada = await a.enrol(await a.login('ada@example.com'), clock.now());
    const bob = await b.enrol(await b.login('bob@example.com'), clock.now());
    const pending = await a.pendingLogin('ada@example.com');
    for (let i = 0; i < 3; i++) expect((await a.completeLogin(pending, '000000')).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await b.completeLogin(pending, '000000')).status).toBe(401);
    const code = referenceTotp(ada.secret, clock.nextStep());
    expect((await b.completeLogin(pending, code)).status).toBe(403);
    const again = await b.pendingLogin('ada@example.com');
    expect((await a.completeLogin(again, code)).status).toBe(429);
    expect((await b.completeLogin(await a.pendingLogin('bob@example.com'), referenceTotp(bob.secret, clock.now()))).status).toBe(200);
  });
});
