import { Secret } from 'otpauth';
import { digestSecret } from '../kernel/secrets';

/** Codes in a set: each works once. */
export const RECOVERY_CODES_PER_SET = 10;

/** 16 base32 characters: 80 random bits, beyond a search of their SHA-256 digests. */
const RECOVERY_CODE = /^[a-z2-7]{16}$/;

/** A new set, as shown to the user once (groups of four, lower case). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES_PER_SET }, () => {
    const code = new Secret({ size: 10 }).base32.toLowerCase();
    return code.match(/.{4}/g)!.join('-');
  });
}

/** A code as typed (any case, with or without dashes and spaces) in its one stored form; null when it cannot be one. */
export function normalizeRecoveryCode(code: string): string | null {
  const normalized = code.toLowerCase().replace(/[\s-]/g, '');
  return RECOVERY_CODE.test(normalized) ? normalized : null;
}

/** What is stored of a recovery code: a dump of the table shows none. */
export function recoveryCodeDigest(normalized: string): string {
  return digestSecret(normalized);
}
