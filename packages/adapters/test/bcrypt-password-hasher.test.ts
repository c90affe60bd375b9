import { describe, expect, it } from 'vitest';
import { BcryptPasswordHasher } from '../src';
import { passwordHasherContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

passwordHasherContract(vitestApi, 'bcrypt', () => new BcryptPasswordHasher(5), () => new BcryptPasswordHasher(4));

describe('BcryptPasswordHasher', () => {
  it('uses the configured cost', async () => {
    expect((await new BcryptPasswordHasher(6).hash('pw')).startsWith('$2b$06$')).toBe(true);
  });
});
