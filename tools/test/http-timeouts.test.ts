import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-timeouts-'));
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({
    DATABASE_URL: `sqlite:${join(dir, 'users.db')}`,
    HTTP_HEADERS_TIMEOUT_SECONDS: '1',
    HTTP_REQUEST_TIMEOUT_SECONDS: '2',
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '1',
  });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `sent` on a raw connection and resolves with what came back once the server closed it. */
function untilClosed(sent: string): Promise<{ ms: number; received: string }> {
  const { port } = new URL(server.url);
  const begun = Date.now();
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(sent));
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ ms: Date.now() - begun, received }));
    setTimeout(() => socket.destroy(new Error(`still open after 10 s; received ${JSON.stringify(received)}`)), 10_000).unref();
  });
}

describe('HTTP server timeouts', () => {
  it('answers 408 and closes a connection whose headers never end (HTTP_HEADERS_TIMEOUT_SECONDS)', async () => {
    const { ms, received } = await untilClosed('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3000);
  });

  it('answers 408 and closes a connection whose body never ends (HTTP_REQUEST_TIMEOUT_SECONDS)', async () => {
    const { ms, received } = await untilClosed(
      'POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em',
    );
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(4000);
  });

  it('closes an idle keep-alive connection (HTTP_KEEP_ALIVE_TIMEOUT_SECONDS)', async () => {
    const { ms, received } = await untilClosed('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3000);
  });
});
