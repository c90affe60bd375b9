import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from './run-cli';

describe('latchkey webhooks and latchkey api-keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-webhooks-'));
  // Endpoint secrets are sealed: every command needs the same key, as every instance does.
  const env = { NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'hooks.db')}`, ENCRYPTION_KEYS: Buffer.alloc(32, 7).toString('base64'), WEBHOOK_SECRET_OVERLAP_HOURS: '24' };
  const run = (argv: string[]) => runInProcess(argv, env);

  beforeAll(async () => {
    expect((await run(['migrate'])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds an endpoint (its secret printed once), lists it without secrets, rotates its secret, removes it', async () => {
    const added = await run(['webhooks', 'add', 'https://hooks.example.com/latchkey', '--events', 'user.created,user.deleted']);
    expect(added.code, added.stderr).toBe(0);
    const secret = /^secret +(whsec_[A-Za-z0-9+/]{43}=)$/m.exec(added.stdout)![1]!;
    expect(added.stdout).toMatch(/^id +1$/m);
    expect(added.stdout).toMatch(/^events +user\.created, user\.deleted$/m);
    const all = JSON.parse((await run(['webhooks', 'add', 'http://127.0.0.1:9000/hooks', '--json'])).stdout) as { id: number; events: string; secret: string };
    expect(all).toMatchObject({ id: 2, events: 'all' });

    const listed = await run(['webhooks', 'list']);
    expect(listed.stdout).toBe(
      [
        'ID  URL                                 EVENTS                     SECRETS',
        '1   https://hooks.example.com/latchkey  user.created,user.deleted  1',
        '2   http://127.0.0.1:9000/hooks         all                        1',
        '',
      ].join('\n'),
    );
    expect(listed.stdout + (await run(['webhooks', 'list', '--json'])).stdout).not.toContain(secret);

    const rotated = await run(['webhooks', 'rotate-secret', '1', '--json']);
    const { secret: next, previous_secret_signs_until } = JSON.parse(rotated.stdout) as { secret: string; previous_secret_signs_until: string };
    expect(next).not.toBe(secret);
    expect(Date.parse(previous_secret_signs_until) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect((await run(['webhooks', 'list'])).stdout).toContain('2 (rotating)');

    expect(await run(['webhooks', 'remove', '2'])).toMatchObject({ code: 0, stdout: 'webhook endpoint 2 removed\n' });
    expect(await run(['webhooks', 'remove', '2'])).toMatchObject({ code: 1, stderr: 'latchkey: no webhook endpoint has the id 2\n' });
    expect((await run(['webhooks', 'remove', 'two'])).code).toBe(2);
  });

  it('refuses URLs other than https:// or http:// to this machine, and unknown event types (exit 3)', async () => {
    const plain = await run(['webhooks', 'add', 'http://example.com/hook']);
    expect(plain).toMatchObject({ code: 3, stderr: 'latchkey: the webhook URL must be https://, or http:// to 127.0.0.1 or localhost\n' });
    expect((await run(['webhooks', 'add', 'https://example.com/hook', '--events', 'user.nope'])).stderr).toBe('latchkey: unknown webhook event type: user.nope\n');
  });

  it('lists deliveries (none yet) and refuses to replay an unknown one', async () => {
    expect((await run(['webhooks', 'deliveries'])).stdout).toBe('no webhook deliveries\n');
    expect((await run(['webhooks', 'deliveries', '--failed', '--json'])).stdout).toBe('{\n  "deliveries": []\n}\n');
    expect(await run(['webhooks', 'replay', '7'])).toMatchObject({ code: 1, stderr: 'latchkey: no delivered or failed webhook delivery has the id 7\n' });
  });

  it('makes admin API keys (printed once), lists them without the key, revokes them', async () => {
    const made = await run(['api-keys', 'create', 'support tool']);
    expect(made.code, made.stderr).toBe(0);
    const key = /^key +(lk_[A-Za-z0-9_-]{43})$/m.exec(made.stdout)![1]!;
    const reader = JSON.parse((await run(['api-keys', 'create', 'dashboard', '--read-only', '--json'])).stdout) as { id: number; read_only: boolean };
    expect(reader).toMatchObject({ id: 2, read_only: true });
    const listed = await run(['api-keys', 'list']);
    expect(listed.stdout).toMatch(/^1 +support tool +read\+change +never +live$/m);
    expect(listed.stdout).toMatch(/^2 +dashboard +read-only +never +live$/m);
    expect(listed.stdout).not.toContain(key);
    expect(await run(['api-keys', 'revoke', '1'])).toMatchObject({ code: 0, stdout: 'API key 1 revoked\n' });
    expect((await run(['api-keys', 'list'])).stdout).toMatch(/^1 +support tool +read\+change +never +revoked 20/m);
    expect(await run(['api-keys', 'revoke', '1'])).toMatchObject({ code: 1, stderr: 'latchkey: no live API key has the id 1\n' });
    const blank = await run(['api-keys', 'create', '  ']);
    expect(blank.code, blank.stderr).toBe(2);
  });
});
