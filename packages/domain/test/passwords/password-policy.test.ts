import { describe, expect, it } from 'vitest';
import { PasswordPolicy, ValidationError } from '../../src';

describe('PasswordPolicy', () => {
  it('accepts the contract scenario password by default', () => {
    expect(() => new PasswordPolicy().check('b4l0u')).not.toThrow();
  });

  it('refuses more than 72 UTF-8 bytes instead of truncating', () => {
    const policy = new PasswordPolicy();
    expect(() => policy.check('a'.repeat(72))).not.toThrow();
    expect(() => policy.check('a'.repeat(73))).toThrow(ValidationError);
    expect(() => policy.check('€'.repeat(25))).toThrow('at most 72 bytes');
  });

  it('applies a configured minimum length in characters', () => {
    const policy = new PasswordPolicy({ minLength: 8 });
    expect(() => policy.check('1234567')).toThrow('at least 8 characters');
    expect(() => policy.check('ééééééééé')).not.toThrow();
  });

  it('refuses common passwords when given a blocklist', () => {
    const policy = new PasswordPolicy({ isCommon: (pw) => pw === 'password' });
    expect(() => policy.check('password')).toThrow('too common');
  });

  it('cannot be configured past the bcrypt limit', () => {
    expect(() => new PasswordPolicy({ maxBytes: 100 })).toThrow(RangeError);
  });
});
