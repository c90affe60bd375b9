import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps assume it: SHA-1, 6 digits, 30-second steps. */
const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** A code of the step before or after the current one is accepted too (clock drift). */
const DRIFT_STEPS = 1;

const TOTP_CODE = /^\d{6}$/;

/** A new random secret of 160 bits (RFC 4226's recommended length), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function otpauthUri(secret: string, account: string, issuer: string): string {
  return new TOTP({ issuer, label: account, secret: Secret.fromBase32(secret), algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_SECONDS }).toString();
}

export function isTotpCode(code: string): boolean {
  return TOTP_CODE.test(code);
}

/** The time step whose code `code` is, within the drift allowed around `now`; null when none. */
export function matchingStep(secret: string, code: string, now: number): number | null {
  if (!isTotpCode(code)) return null;
  const options = { secret: Secret.fromBase32(secret), algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_SECONDS, timestamp: now };
  const delta = TOTP.validate({ ...options, token: code, window: DRIFT_STEPS });
  return delta === null ? null : TOTP.counter({ period: PERIOD_SECONDS, timestamp: now }) + delta;
}
