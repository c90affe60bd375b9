/**
 * Measures whether response times tell registered emails apart, against servers started as
 * `npm start` starts them (default bcrypt cost 12), with requests interleaved:
 *   - POST /sessions: unknown email vs wrong password;
 *   - POST /reset_password in RESET_TOKEN_DELIVERY=email mode: known vs unknown email.
 *   npx tsx tools/enumeration-timing.ts [rounds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtpSink } from '../packages/adapters/test/support/smtp-sink';
import { startServerProcess } from './server-process';

async function timed(url: string, fields: Record<string, string>): Promise<{ ms: number; reply: string }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const body = await response.text();
  return { ms: performance.now() - started, reply: `${response.status} ${body}` };
}

function row(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `| ${label.padEnd(36)} | ${mean.toFixed(2).padStart(8)} | ${median.toFixed(2).padStart(8)} |`;
}

async function compare(url: string, rounds: number, a: [string, (i: number) => Record<string, string>], b: [string, (i: number) => Record<string, string>]): Promise<string[]> {
  const times: [number[], number[]] = [[], []];
  const replies = new Set<string>();
  await timed(url, a[1](-1));
  for (let i = 0; i < rounds; i++) {
    for (const [k, [, fields]] of [a, b].entries()) {
      const { ms, reply } = await timed(url, fields(i));
      times[k]!.push(ms);
      replies.add(reply);
    }
  }
  return [row(a[0], times[0]), row(b[0], times[1]), `|   distinct replies: ${replies.size} | | |`];
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-timing-'));
  const sink = await startSmtpSink();
  const lines = ['| request | mean ms | median ms |', '|---|---:|---:|'];
  try {
    const loginServer = await startServerProcess({
      DATABASE_URL: `sqlite:${join(dir, 'login.db')}`,
      LOGIN_FAILURES_PER_ACCOUNT: '1000000',
      LOGIN_FAILURES_PER_IP: '1000000',
    });
    await timed(`${loginServer.url}/users`, { email: 'known@example.com', password: 'b4l0u' });
    lines.push(
      ...(await compare(
        `${loginServer.url}/sessions`,
        rounds,
        ['POST /sessions, unknown email', (i) => ({ email: `nobody${i}@example.com`, password: 'guess' })],
        ['POST /sessions, wrong password', () => ({ email: 'known@example.com', password: 'guess' })],
      )),
    );
    await loginServer.stop();

    const mailServer = await startServerProcess({
      DATABASE_URL: `sqlite:${join(dir, 'mail.db')}`,
      RESET_TOKEN_DELIVERY: 'email',
      SMTP_URL: sink.url,
      MAIL_FROM: 'no-reply@latchkey.test',
      RESET_URL_TEMPLATE: 'https://app.example.com/reset?token={token}&email={email}',
      RESET_REQUESTS_PER_EMAIL: '1000000',
      RESET_REQUESTS_PER_IP: '1000000',
    });
    await timed(`${mailServer.url}/users`, { email: 'known@example.com', password: 'b4l0u' });
    lines.push(
      ...(await compare(
        `${mailServer.url}/reset_password`,
        rounds * 5,
        ['POST /reset_password (email), known', () => ({ email: 'known@example.com' })],
        ['POST /reset_password (email), unknown', (i) => ({ email: `nobody${i}@example.com` })],
      )),
    );
    await mailServer.stop();
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(lines.join('\n'));
}

void main();
