import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeQuotedPrintable } from '../../packages/adapters/test/support/smtp-sink';
import { startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-dev-mail-'));
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function send(method: string, path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${server!.url}${path}`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

describe('reset emails in development, without SMTP_URL', () => {
  it('are written as .eml files in the directory the log names, and the token never reaches the log', async () => {
    const mailDir = join(dir, 'mail');
    server = await startServerProcess({
      NODE_ENV: 'development',
      LOG_LEVEL: 'trace',
      DATABASE_URL: `sqlite:${join(dir, 'users.db')}`,
      RESET_TOKEN_DELIVERY: 'email',
      RESET_URL_TEMPLATE: 'https://app.example.com/reset?token={token}',
      MAIL_DIR: mailDir,
    });
    expect(server.output()).toContain(`emails are written as .eml files in ${mailDir}`);
    expect((await send('POST', '/users', { email: 'dev@example.com', password: 'b4l0u' })).status).toBe(200);
    expect((await send('POST', '/reset_password', { email: 'dev@example.com' })).status).toBe(200);

    for (let waited = 0; !/email written to a file/.test(server.output()); waited += 50) {
      if (waited > 10_000) throw new Error('no email written');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const files = readdirSync(mailDir);
    expect(files).toHaveLength(1);
    const eml = decodeQuotedPrintable(readFileSync(join(mailDir, files[0]!), 'utf8'));
    const token = /reset\?token=([\w-]+)/.exec(eml)![1]!;
    expect(server.output()).toContain(files[0]);
    expect(server.output()).not.toContain(token);
    // The token in the file is the one that works.
    expect((await send('PUT', '/reset_password', { email: 'dev@example.com', reset_token: token, new_password: 'n3w-p4ss' })).status).toBe(200);
  });
});
