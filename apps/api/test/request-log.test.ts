import { OverloadedError } from '@latchkey/domain';
import type { PasswordHasher } from '@latchkey/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { form, json, startTestServer } from './harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function requestLine(requestId: string): Record<string, unknown> | undefined {
  return server.logs().find((line) => line.reqId === requestId && line.msg === 'request');
}

describe('request ids', () => {
  it('echoes the client\'s X-Request-Id and logs the request under it', async () => {
    const response = await fetch(`${server.url}/`, { headers: { 'X-Request-Id': 'client-id.42' } });
    expect(response.headers.get('x-request-id')).toBe('client-id.42');
    expect(requestLine('client-id.42')).toMatchObject({ level: 30, method: 'GET', route: '/', status: 200, msg: 'request' });
  });

  it('makes a new id (a UUID) when there is none, or one that is not plain', async () => {
    for (const given of [undefined, 'two words', 'x'.repeat(129), '{"level":60}']) {
      const response = await fetch(`${server.url}/`, { headers: given === undefined ? {} : { 'X-Request-Id': given } });
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      expect(requestLine(id)).toBeDefined();
    }
  });

  it('gives failures an id too', async () => {
    const response = await fetch(`${server.url}/profile`);
    expect(response.status).toBe(403);
    expect(requestLine(response.headers.get('x-request-id')!)).toMatchObject({ route: '/profile', status: 403 });
  });
});

describe('the request log line', () => {
  it('has method, route, status and duration, and a start line at debug level', async () => {
    const response = await fetch(`${server.url}/users`, { method: 'POST', ...form({ email: 'log@example.com', password: 'b4l0u' }) });
    const id = response.headers.get('x-request-id')!;
    const line = requestLine(id)!;
    expect(line).toMatchObject({ service: 'latchkey', method: 'POST', route: '/users', status: 200 });
    expect(typeof line.durationMs).toBe('number');
    expect(typeof line.time).toBe('string');
    expect(server.logs().find((l) => l.reqId === id && l.msg === 'request started')).toMatchObject({ level: 20 });
  });

  it('names the route template, never the URL with its query', async () => {
    const response = await fetch(`${server.url}/profile?token=abcdef`);
    const line = requestLine(response.headers.get('x-request-id')!)!;
    expect(line.route).toBe('/profile');
    expect(JSON.stringify(line)).not.toContain('abcdef');
  });

  it('says "unmatched" for an unknown path, and names a known one whose body was refused', async () => {
    const unknown = await fetch(`${server.url}/secret-path-42`);
    expect(requestLine(unknown.headers.get('x-request-id')!)).toMatchObject({ route: 'unmatched', status: 404 });
    const malformed = await fetch(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email": ' });
    expect(requestLine(malformed.headers.get('x-request-id')!)).toMatchObject({ route: '/users', status: 400 });
    const wrongMethod = await fetch(`${server.url}/profile`, { method: 'PATCH', ...json({}) });
    expect(requestLine(wrongMethod.headers.get('x-request-id')!)).toMatchObject({ route: '/profile', status: 405 });
  });
});

describe('LOG_LEVEL', () => {
  it('drops lines below the level', async () => {
    const quiet = await startTestServer({}, { logLevel: 'warn' });
    try {
      await fetch(`${quiet.url}/`);
      expect(quiet.logs()).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});

describe('server errors', () => {
  it('are logged at error level with the request id and the error', async () => {
    const broken = await startTestServer();
    await broken.knex.destroy();
    const response = await fetch(`${broken.url}/profile`, { headers: { cookie: 'session_id=abc' } });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'internal server error' });
    const id = response.headers.get('x-request-id')!;
    const lines = broken.logs().filter((line) => line.reqId === id);
    expect(lines.find((line) => line.msg === 'request failed')).toMatchObject({ level: 50, err: { type: expect.any(String), message: expect.any(String) } });
    expect(lines.find((line) => line.msg === 'request')).toMatchObject({ level: 50, status: 500 });
    // A 500 is, on purpose, in no operation of the document: the check reports it.
    await expect(broken.close()).rejects.toThrow(/GET \/profile → 500: status not documented/);
  });
});

describe('503s (retry later)', () => {
  it('are logged at info level each, with one warning for the lot, not one a request', async () => {
    // Hashing that is always saturated: every login is shed with 503 and Retry-After.
    const saturated: PasswordHasher = { hash: () => Promise.reject(new OverloadedError(1)), verify: () => Promise.reject(new OverloadedError(1)), needsRehash: () => false };
    const busy = await startTestServer({ hasher: saturated });
    try {
      await fetch(`${busy.url}/users`, { method: 'POST', ...form({ email: 'shed@example.com', password: 'b4l0u' }) });
      const statuses = [];
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${busy.url}/sessions`, { method: 'POST', ...form({ email: 'shed@example.com', password: 'b4l0u' }) });
        statuses.push(response.status);
        expect(response.headers.get('retry-after')).toBe('1');
      }
      expect(statuses.every((status) => status === 503)).toBe(true);
      const lines = busy.logs();
      const requests = lines.filter((line) => line.msg === 'request' && line.status === 503);
      expect(requests.length).toBeGreaterThanOrEqual(20);
      expect(requests.every((line) => line.level === 30)).toBe(true);
      expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
      const warnings = lines.filter((line) => line.msg === 'requests answered 503 (retry later)');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40, count: 1 });
    } finally {
      await busy.close();
    }
  });
});
