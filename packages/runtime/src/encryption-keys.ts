import { hkdfSync, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AesGcmSecretBox, UnavailableSecretBox } from '@latchkey/adapters';
import type { SecretBox } from '@latchkey/domain';
import type { Config } from './config';
import { ConfigError } from './config';
import type { Logger } from './logger';

export const MISSING_KEYS_MESSAGE = 'Second factors are unavailable: ENCRYPTION_KEYS is not set';
export const MISSING_TOKEN_KEYS_MESSAGE = 'Signed tokens are unavailable: set ENCRYPTION_KEYS (keys are then generated and stored sealed) or JWT_SIGNING_KEYS';

/**
 * What seals TOTP secrets: ENCRYPTION_KEYS when set. Without it, production refuses
 * enrolments (503 naming the setting) rather than invent a key that a second machine
 * would not share; tests use a key of the process; development keeps one in a file it
 * creates once, and says so once.
 */
export function secretBoxFor(config: Config, logger: Logger): SecretBox {
  if (config.ENCRYPTION_KEYS.length > 0) return AesGcmSecretBox.fromBase64(config.ENCRYPTION_KEYS);
  if (config.NODE_ENV === 'production') return new UnavailableSecretBox(MISSING_KEYS_MESSAGE);
  if (config.NODE_ENV === 'test') return new AesGcmSecretBox([randomBytes(32)]);
  return AesGcmSecretBox.fromBase64([developmentKey(resolve(config.ENCRYPTION_KEY_FILE), logger)]);
}

/**
 * The key of the file, created when missing. The new key is written aside and linked into
 * place, which fails when the file exists: of workers starting together one creates it,
 * and none reads a file half written.
 */
function developmentKey(file: string, logger: Logger): string {
  mkdirSync(dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, `${AesGcmSecretBox.newKey()}\n`, { mode: 0o600 });
  try {
    linkSync(aside, file);
    logger.info({ file }, `no ENCRYPTION_KEYS: TOTP secrets are sealed with a key created in ${file} (set ENCRYPTION_KEYS in production)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(aside);
  }
  const key = readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(key)) throw new ConfigError(`Invalid key file ${file}: not the base64 of 32 bytes`);
  return key;
}

/**
 * What seals the signing keys stored in the database: the second factor's box, with the
 * refusal naming what tokens need when production has no ENCRYPTION_KEYS.
 */
export function tokenBoxFor(config: Config, secondFactorBox: SecretBox): SecretBox {
  if (config.ENCRYPTION_KEYS.length === 0 && config.NODE_ENV === 'production') return new UnavailableSecretBox(MISSING_TOKEN_KEYS_MESSAGE);
  return secondFactorBox;
}

/**
 * The passkeys' id key (WebAuthn user handles, the stand-in credential ids of unknown
 * emails): derived from the first of ENCRYPTION_KEYS, so that every instance answers the
 * same ids for an email. Without it: development derives it from the key file, tests and
 * production use one of the process (production warns: instances then answer different
 * stand-ins for one unknown email).
 */
export function passkeyIdKeyFor(config: Config, logger: Logger): Uint8Array {
  const base = config.ENCRYPTION_KEYS[0] ?? (config.NODE_ENV === 'development' ? developmentKey(resolve(config.ENCRYPTION_KEY_FILE), logger) : undefined);
  if (base === undefined) return randomBytes(32);
  return new Uint8Array(hkdfSync('sha256', Buffer.from(base, 'base64'), Buffer.alloc(0), 'latchkey passkey ids', 32));
}
