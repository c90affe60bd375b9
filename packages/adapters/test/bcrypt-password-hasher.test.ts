import { describe, expect, it } from 'vitest';
import { BcryptPasswordHasher } from '../src';

// The PasswordHasher contract runs on every hasher in contracts.test.ts.

describe('BcryptPasswordHasher', () => {
  it('uses the configured cost', async () => {
    expect((await new BcryptPasswordHasher(6).hash('pw')).startsWith('$2b$06$')).toBe(true);
  });
});
