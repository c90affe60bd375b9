import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from './run-cli';

interface Listed {
  source: string;
  keys: Array<{ kid: string; algorithm: string; state: string; published_at: string | null; signs_from: string | null; signs_until: string | null; retires_at: string | null }>;
}

describe('latchkey keys list and keys rotate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-keys-'));
  // The key that seals signing keys must be the same for every command, as for every instance.
  const env = { NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'keys.db')}`, ENCRYPTION_KEYS: Buffer.alloc(32, 9).toString('base64'), JWT_KEY_OVERLAP_SECONDS: '600', JWT_TTL_SECONDS: '300' };
  const run = (argv: string[], extra: Record<string, string> = {}) => runInProcess(argv, { ...env, ...extra });

  beforeAll(async () => {
    expect((await run(['migrate'])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists no key before the first start, then rotates on the timeline, refusing a second rotation while the new key waits', async () => {
    expect((await run(['keys', 'list'])).stdout).toMatch(/^KID\s+ALG\s+STATE\s+PUBLISHED\s+SIGNS FROM\s+SIGNS UNTIL\s+RETIRES\n0 keys \(from database\)\n$/);
    const began = Date.now();
    const rotated = await run(['keys', 'rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const listed = JSON.parse((await run(['keys', 'list', '--json'])).stdout) as Listed;
    expect(listed.source).toBe('database');
    const [first, next] = listed.keys;
    expect([first!.state, next!.state]).toEqual(['signing', 'next']);
    expect(rotated.stdout.split('\n')[0]).toBe(`key ${next!.kid} is published now and signs from ${next!.signs_from}`);
    const signsFrom = Date.parse(next!.signs_from!);
    expect(signsFrom - Date.parse(next!.published_at!)).toBe(600_000);
    expect(signsFrom).toBeGreaterThanOrEqual(began + 600_000);
    expect(first!.signs_until).toBe(next!.signs_from);
    expect(Date.parse(first!.retires_at!) - signsFrom).toBe(300_000 + 60_000);
    expect(next).toMatchObject({ algorithm: 'EdDSA', signs_until: null, retires_at: null });

    const again = await run(['keys', 'rotate']);
    expect(again.code).toBe(3);
    expect(again.stderr).toBe(`latchkey: key ${next!.kid} is already next: it signs from ${next!.signs_from}; rotate again after that\n`);
  });

  it('rotates at once with --now, keeping only the new key', async () => {
    const rotated = await run(['keys', 'rotate', '--now', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const { keys } = JSON.parse(rotated.stdout) as Listed;
    expect(keys.map((key) => key.state)).toEqual(['signing']);
    expect((await run(['keys', 'list'])).stdout).toContain('1 key (from database)');
  });

  it('lists keys given in JWT_SIGNING_KEYS as given, and refuses to rotate them', async () => {
    const jwk = (crv: 'ed25519') => generateKeyPairSync(crv).privateKey.export({ format: 'jwk' });
    const configured = { JWT_SIGNING_KEYS: JSON.stringify([{ ...jwk('ed25519'), kid: 'main' }, { ...jwk('ed25519'), kid: 'next' }]) };
    const { keys, source } = JSON.parse((await run(['keys', 'list', '--json'], configured)).stdout) as Listed;
    expect(source).toBe('JWT_SIGNING_KEYS');
    expect(keys.map((key) => [key.kid, key.state])).toEqual([
      ['main', 'signing'],
      ['next', 'verifying'],
    ]);
    const refused = await run(['keys', 'rotate'], configured);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^latchkey: the signing keys come from JWT_SIGNING_KEYS: rotate them there/);
  });
});
