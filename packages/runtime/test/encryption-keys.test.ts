import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretBoxUnavailableError } from '@latchkey/domain';
import { ConfigError, loadConfig, secretBoxFor } from '../src';
import type { Logger } from '../src';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (_fields: object, message: string) => void lines.push(message);
  return { lines, info: log, warn: log, error: log };
}

describe('secretBoxFor', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('seals with the first of ENCRYPTION_KEYS and opens with any of them (rotation)', () => {
    const [older, newer] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const before = secretBoxFor(loadConfig({ ENCRYPTION_KEYS: older }), recordingLogger());
    const sealed = before.seal('JBSWY3DPEHPK3PXP', 'second_factor:1');
    const after = secretBoxFor(loadConfig({ ENCRYPTION_KEYS: `${newer},${older}` }), recordingLogger());
    expect(after.open(sealed, 'second_factor:1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => after.open(sealed, 'second_factor:2')).toThrow(/does not open/);
    expect(after.seal('x', 'c').split('.')[1]).not.toBe(sealed.split('.')[1]);
    expect(() => secretBoxFor(loadConfig({ ENCRYPTION_KEYS: newer }), recordingLogger()).open(sealed, 'second_factor:1')).toThrow(/names no key/);
  });

  it('refuses in production without ENCRYPTION_KEYS, naming it', () => {
    const box = secretBoxFor(loadConfig({ NODE_ENV: 'production' }), recordingLogger());
    expect(() => box.seal('x', 'c')).toThrow(SecretBoxUnavailableError);
    expect(() => box.seal('x', 'c')).toThrow(/ENCRYPTION_KEYS is not set/);
  });

  it('creates a key file in development once, says so once, and uses it from then on', () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-keys-'));
    const file = join(dir, 'data', 'encryption.key');
    const logger = recordingLogger();
    const first = secretBoxFor(loadConfig({ NODE_ENV: 'development', ENCRYPTION_KEY_FILE: file }), logger);
    const second = secretBoxFor(loadConfig({ NODE_ENV: 'development', ENCRYPTION_KEY_FILE: file }), logger);
    expect(second.open(first.seal('secret', 'c'), 'c')).toBe('secret');
    expect(logger.lines.filter((line) => line.includes(file))).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(logger.lines.join()).not.toContain(readFileSync(file, 'utf8').trim());
  });

  it('refuses a key that is not 32 bytes of base64, without printing it', () => {
    const key = randomBytes(16).toString('base64');
    const error = (() => {
      try {
        loadConfig({ ENCRYPTION_KEYS: key });
      } catch (thrown) {
        return thrown as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/^Invalid ENCRYPTION_KEYS=<hidden>: key 1 is not the base64 of 32 bytes/);
    expect(error?.message).not.toContain(key);
  });
});
