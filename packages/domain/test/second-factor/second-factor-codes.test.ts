import { describe, expect, it } from 'vitest';
import { RECOVERY_CODES_PER_SET, matchingStep, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, otpauthUri } from '../../src';
import { referenceTotp } from '../../../adapters/test/support/totp-reference';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 10);
const STEP = Math.floor(NOW / 30_000);

describe('TOTP codes', () => {
  it('match their step, one step of drift either way, and no further', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    for (const drift of [-1, 0, 1]) expect(matchingStep(secret, referenceTotp(secret, NOW + drift * 30_000), NOW)).toBe(STEP + drift);
    for (const drift of [-3, -2, 2, 3]) {
      const code = referenceTotp(secret, NOW + drift * 30_000);
      const near = [-1, 0, 1].map((d) => referenceTotp(secret, NOW + d * 30_000));
      if (!near.includes(code)) expect(matchingStep(secret, code, NOW)).toBeNull();
    }
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456']) expect(matchingStep(secret, code, NOW)).toBeNull();
  });

  it('name the account and issuer in their URI', () => {
    expect(otpauthUri('JBSWY3DPEHPK3PXP', 'a@example.com', 'Latchkey')).toBe(
      'otpauth://totp/Latchkey:a%40example.com?issuer=Latchkey&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
    );
  });
});

describe('recovery codes', () => {
  it('come 10 a set, 80 random bits each, and are read in any case with or without dashes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODES_PER_SET);
    expect(new Set(codes).size).toBe(RECOVERY_CODES_PER_SET);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const plain = codes[0]!.replaceAll('-', '');
    expect(normalizeRecoveryCode(codes[0]!.toUpperCase())).toBe(plain);
    expect(normalizeRecoveryCode(plain.replace(/(.{8})/, '$1 '))).toBe(plain);
    for (const bad of ['123456', 'abcd-efgh', plain + 'a', plain.replace(/./, '1')]) expect(normalizeRecoveryCode(bad)).toBeNull();
  });
});
