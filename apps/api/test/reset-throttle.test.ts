import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryThrottleStore } from '@latchkey/adapters';
import { ResetThrottle } from '@latchkey/domain';
import type { TestServer } from './harness';
import { form, startTestServer } from './harness';

describe('POST /reset_password throttle', () => {
  let server: TestServer;

  beforeAll(async () => {
    const resetThrottle = new ResetThrottle(new MemoryThrottleStore(), { requestsPerEmail: 5, requestsPerIp: 20, windowMs: 900_000 });
    server = await startTestServer({ resetThrottle }, { http: { trustProxy: true } });
  });
  afterAll(async () => {
    await server.close();
  });

  const request = (email: string, ip: string) =>
    fetch(`${server.url}/reset_password`, { method: 'POST', ...form({ email }), headers: { ...form({}).headers, 'x-forwarded-for': ip } });

  it('answers 429 with Retry-After past 5 requests for one email, from any address', async () => {
    await fetch(`${server.url}/users`, { method: 'POST', ...form({ email: 'bob@example.com', password: 'b4l0u' }) });
    for (let i = 0; i < 5; i++) expect((await request('bob@example.com', `198.51.100.${i}`)).status).toBe(200);
    const refused = await request('Bob@Example.com', '198.51.100.9');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(await refused.json()).toEqual({ message: 'too many reset requests; try again later', code: 'too_many_reset_requests' });
  });

  it('answers 429 past 20 requests from one address, whatever the emails, and records no row for a refused one', async () => {
    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await request(`nobody${i}@example.com`, '203.0.113.7')).status);
    expect(statuses.slice(0, 20).every((status) => status === 403)).toBe(true);
    expect(statuses[20]).toBe(429);
    const rows = await server.knex('auth_events').where({ type: 'reset_requested', ip: '203.0.113.7' }).count({ n: '*' });
    expect(Number(rows[0]!.n)).toBe(20);
  });
});
