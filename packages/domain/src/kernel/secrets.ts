import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness, cookie- and URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored instead of a secret: a dump of the table opens nothing. */
export function digestSecret(secret: string): string {
  // One-shot hashing: every cookie check digests its secret, and a Hash object costs more than the digest.
  return hash('sha256', secret, 'hex');
}

export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
