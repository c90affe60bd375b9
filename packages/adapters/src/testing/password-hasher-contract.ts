import type { ContractTestApi } from './test-api';
import type { PasswordHasher } from '@latchkey/domain';

/** The behaviour every PasswordHasher must show; `weaker` hashes with lower settings. */
export function passwordHasherContract(
  { describe, it, expect }: ContractTestApi,
  name: string,
  make: () => PasswordHasher,
  weaker: () => PasswordHasher,
): void {
  describe(`PasswordHasher contract: ${name}`, () => {
    it('hashes with a salt: two hashes of one password differ and neither contains it', async () => {
      const hasher = make();
      const [a, b] = await Promise.all([hasher.hash('b4l0u'), hasher.hash('b4l0u')]);
      expect(a).not.toBe(b);
      expect(a).not.toContain('b4l0u');
    });

    it('verifies the right password only', async () => {
      const hasher = make();
      const hash = await hasher.hash('correct horse');
      expect(await hasher.verify('correct horse', hash)).toBe(true);
      expect(await hasher.verify('correct horsE', hash)).toBe(false);
      expect(await hasher.verify('', hash)).toBe(false);
    });

    it('answers false, not an error, for a malformed hash', async () => {
      expect(await make().verify('pw', 'not-a-hash')).toBe(false);
    });

    it('asks for a rehash of hashes made with weaker settings only', async () => {
      const hasher = make();
      expect(hasher.needsRehash(await weaker().hash('pw'))).toBe(true);
      expect(hasher.needsRehash(await hasher.hash('pw'))).toBe(false);
    });
  });
}
