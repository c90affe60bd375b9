import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { startTestServer } from './harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

function send({ method, path, headers, body }: RawRequest): Promise<{ status: number; text: string }> {
  const { port } = new URL(server.url);
  const sendsBody = body !== '' && !['GET', 'HEAD'].includes(method);
  if (sendsBody) headers = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (sendsBody) req.write(body);
    req.end();
  });
}

const paths = ['/', '/users', '/sessions', '/profile', '/reset_password', '/openapi.json', '/nope'];
const pathArb = fc.oneof(
  fc.constantFrom(...paths),
  fc.tuple(fc.constantFrom(...paths), fc.string()).map(([p, s]) => p + encodeURI(s)),
  fc.constantFrom('/%', '/%E0%A4%A', '/users%00', '//', '/users?email=%zz', '/..%2f..%2fetc', '/reset_password?x=1&x=2'),
);
const fieldValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object());
const bodyArb = fc.oneof(
  fc.constant(''),
  fc.string(),
  fc.dictionary(fc.constantFrom('email', 'password', 'reset_token', 'new_password', 'x'), fieldValue).map((o) => JSON.stringify(o)),
  fc.dictionary(fc.constantFrom('email', 'password', 'reset_token', 'new_password'), fc.string()).map((o) => new URLSearchParams(o).toString()),
  fc.constantFrom('{', '[]', 'null', '"x"', '{"email":{"$ne":1}}', 'email=%E0%A4%A&password=x', 'a'.repeat(20_000)),
);
const headerArb = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/json; charset=bogus', ''),
    cookie: fc.oneof(fc.string().map((s) => `session_id=${encodeURIComponent(s)}`), fc.constantFrom('session_id=%', 'session_id=', 'a=b; session_id="x"')),
    origin: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1', ''),
    'x-forwarded-for': fc.constantFrom('1.2.3.4', 'garbage', ''),
  },
  { requiredKeys: [] },
);
const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND'),
  path: pathArb,
  headers: headerArb,
  body: bodyArb,
});

describe('any request', () => {
  it('never gets a 5xx, and every error is JSON with a message', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (raw) => {
        const headers = Object.fromEntries(Object.entries(raw.headers).filter(([, v]) => v !== ''));
        const { status, text } = await send({ ...raw, headers });
        expect(status, JSON.stringify(raw).slice(0, 300)).toBeLessThan(500);
        if (status >= 400 && raw.method !== 'HEAD') {
          expect(JSON.parse(text)).toHaveProperty('message');
          expect(text).not.toMatch(/\n\s+at /);
        }
      }),
      { numRuns: 400 },
    );
  });
});
