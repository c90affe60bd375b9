import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SecretBox } from '@latchkey/domain';
import { SecretBoxUnavailableError } from '@latchkey/domain';

const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;

/** A sealed value that does not open: tampered with, another user's, or sealed with a key no longer given. */
export class UnsealError extends Error {}

/**
 * AES-256-GCM with several keys: the first seals, every one opens, so keys rotate by
 * putting a new one first and dropping the old one once nothing sealed with it is left.
 * A sealed value is `v1.<key id>.<nonce>.<ciphertext>.<tag>`, base64url; the key id is
 * the start of the key's SHA-256 (it tells which key to try, and nothing of the key).
 */
export class AesGcmSecretBox implements SecretBox {
  private readonly keys: Array<{ id: string; key: Buffer }>;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new RangeError('At least one key is needed');
    this.keys = keys.map((key) => {
      if (key.length !== KEY_BYTES) throw new RangeError(`A key must be ${KEY_BYTES} bytes, not ${key.length}`);
      return { id: keyId(key), key };
    });
  }

  /** Keys as ENCRYPTION_KEYS gives them: base64 of 32 bytes each. */
  static fromBase64(keys: readonly string[]): AesGcmSecretBox {
    return new AesGcmSecretBox(keys.map((key) => Buffer.from(key, 'base64')));
  }

  static newKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  seal(plaintext: string, context: string): string {
    const { id, key } = this.keys[0]!;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, id, nonce.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const [version, id, nonce, ciphertext, tag] = sealed.split('.');
    const found = this.keys.find((key) => key.id === id);
    if (version !== VERSION || !found || nonce === undefined || ciphertext === undefined || tag === undefined) {
      throw new UnsealError('The sealed value names no key given');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', found.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new UnsealError('The sealed value does not open', { cause: error });
    }
  }
}

/** Stands in when no key is configured: every use answers 503 with the message naming the setting. */
export class UnavailableSecretBox implements SecretBox {
  constructor(private readonly message: string) {}

  seal(): string {
    throw new SecretBoxUnavailableError(this.message);
  }

  open(): string {
    throw new SecretBoxUnavailableError(this.message);
  }
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}
