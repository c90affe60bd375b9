import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryThrottleStore } from '@latchkey/adapters';
import { LoginThrottle } from '@latchkey/domain';
import type { TestServer } from './harness';
import { form, startTestServer } from './harness';
import { SteppedClock, secondFactorClient } from './second-factor-client';
import { referenceTotp } from '../../../packages/adapters/test/support/totp-reference';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function scrape(from: TestServer = server): Promise<string> {
  const response = await fetch(`${from.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample, by its exact name and labels as written. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts requests and their latency by method, route and status', async () => {
    await fetch(`${server.url}/`);
    await fetch(`${server.url}/`);
    await fetch(`${server.url}/nowhere/${Math.random()}`);
    const text = await scrape();
    expect(sample(text, 'latchkey_http_requests_total{method="GET",route="/",status="200"}')).toBe(2);
    expect(sample(text, 'latchkey_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(sample(text, 'latchkey_http_request_duration_seconds_count{method="GET",route="/",status="200"}')).toBe(2);
    expect(sample(text, 'latchkey_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/",status="200"}')).toBe(2);
    expect(text).toContain('# TYPE latchkey_http_request_duration_seconds histogram');
  });

  it('counts login successes and failures, and times bcrypt', async () => {
    const before = await scrape();
    const email = 'metrics@example.com';
    await fetch(`${server.url}/users`, { method: 'POST', ...form({ email, password: 'b4l0u' }) });
    expect((await fetch(`${server.url}/sessions`, { method: 'POST', ...form({ email, password: 'b4l0u' }) })).status).toBe(200);
    expect((await fetch(`${server.url}/sessions`, { method: 'POST', ...form({ email, password: 'wrong' }) })).status).toBe(401);
    expect((await fetch(`${server.url}/sessions`, { method: 'POST', ...form({ email: 'ghost@example.com', password: 'x' }) })).status).toBe(401);
    const after = await scrape();
    const delta = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(delta('latchkey_logins_total{outcome="success"}')).toBe(1);
    expect(delta('latchkey_logins_total{outcome="failure"}')).toBe(2);
    expect(sample(after, 'latchkey_logins_total{outcome="throttled"}')).toBe(0);
    expect(delta('latchkey_password_hash_duration_seconds_count{operation="hash"}')).toBeGreaterThanOrEqual(1);
    expect(delta('latchkey_password_hash_duration_seconds_count{operation="verify"}')).toBe(3);
    expect(sample(after, 'latchkey_password_hash_duration_seconds_sum{operation="verify"}')).toBeGreaterThan(0);
  });

  it('includes the process metrics', async () => {
    const text = await scrape();
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
  });

  it('counts throttled logins', async () => {
    const throttled = await startTestServer({ throttle: new LoginThrottle(new MemoryThrottleStore(), { failuresPerAccount: 1, windowMs: 60_000 }) });
    try {
      const login = () => fetch(`${throttled.url}/sessions`, { method: 'POST', ...form({ email: 'slow@example.com', password: 'x' }) });
      expect((await login()).status).toBe(401);
      const refused = await login();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      const text = await scrape(throttled);
      expect(sample(text, 'latchkey_logins_total{outcome="failure"}')).toBe(1);
      expect(sample(text, 'latchkey_logins_total{outcome="throttled"}')).toBe(1);
    } finally {
      await throttled.close();
    }
  });

  it('counts a login waiting for its second factor once, when the code opens the session, and a wrong code not as a wrong password', async () => {
    const clock = new SteppedClock(Date.now());
    const stepped = await startTestServer({ clock });
    const client = secondFactorClient(() => stepped);
    try {
      await client.register('two-step@example.com');
      const { secret } = await client.enrol(await client.login('two-step@example.com'), clock.now());
      const before = await scrape(stepped);
      const pending = await client.pendingLogin('two-step@example.com');
      expect((await client.completeLogin(pending, '000000')).status).toBe(401);
      expect((await client.completeLogin(pending, referenceTotp(secret, clock.nextStep()))).status).toBe(200);
      const after = await scrape(stepped);
      const delta = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
      expect(delta('latchkey_logins_total{outcome="success"}')).toBe(1);
      expect(delta('latchkey_logins_total{outcome="failure"}')).toBe(0);
    } finally {
      await stepped.close();
    }
  });
});

