import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { startTestServer } from './harness';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GET /healthz', () => {
  it('answers 200 while the process runs, whatever the database', async () => {
    server = await startTestServer();
    await server.knex.destroy();
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /readyz', () => {
  it('answers 200 when the database answers', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('answers 503 when the database does not', async () => {
    server = await startTestServer();
    await server.knex.destroy();
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'database unreachable' });
  });

  it('answers 503 once the process is shutting down', async () => {
    server = await startTestServer();
    server.readiness.drain();
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'shutting down' });
  });
});
