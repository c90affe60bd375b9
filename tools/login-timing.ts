/**
 * Measures POST /sessions for an unknown email and for a wrong password against a server
 * started with default settings (bcrypt cost 12), interleaved, and prints both.
 *   npx tsx tools/login-timing.ts [rounds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from './server-process';

async function timed(url: string, email: string, password: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const response = await fetch(`${url}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString(),
  });
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return `mean ${mean.toFixed(1)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-timing-'));
  const server = await startServerProcess({
    DATABASE_URL: `sqlite:${join(dir, 'timing.db')}`,
    LOGIN_FAILURES_PER_ACCOUNT: '100000',
    LOGIN_FAILURES_PER_IP: '100000',
  });
  try {
    await fetch(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=known%40example.com&password=b4l0u' });
    await timed(server.url, 'warm@example.com', 'x');
    const unknown: number[] = [];
    const wrong: number[] = [];
    const bodies = new Set<string>();
    for (let i = 0; i < rounds; i++) {
      const a = await timed(server.url, `nobody${i}@example.com`, 'guess');
      const b = await timed(server.url, 'known@example.com', 'guess');
      unknown.push(a.ms);
      wrong.push(b.ms);
      bodies.add(`${a.status} ${a.body}`).add(`${b.status} ${b.body}`);
    }
    console.log(`unknown email : ${summary(unknown)}`);
    console.log(`wrong password: ${summary(wrong)}`);
    console.log(`distinct responses: ${[...bodies].join(' | ')}`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
