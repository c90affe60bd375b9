import type { ContractTestApi } from './test-api';
import type { SigningKeyRepository, StoredSigningKey } from '@latchkey/domain';

export interface SigningKeyStoreFixture {
  keys: SigningKeyRepository;
  /**
   * The same storage through another connection pool, as a second instance reaches it;
   * the races run through both when given.
   */
  other?: SigningKeyRepository;
  close?: () => Promise<void>;
}

/** Rounds of the race; every round runs RACERS adds of one generation at once. */
export const SIGNING_KEY_RACE_ROUNDS = 10;
const RACERS = 6;

const T = Date.UTC(2026, 11, 3);

/** A stored key as the domain makes one; the fields are opaque to the repository. */
export function storedSigningKey(generation: number, kid = `kid-${generation}`, overrides: Partial<StoredSigningKey> = {}): StoredSigningKey {
  return {
    generation,
    kid,
    algorithm: 'EdDSA',
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: `x-of-${kid}`, kid, alg: 'EdDSA', use: 'sig' },
    sealedPrivateKey: `v1.sealed.${kid}`,
    createdAt: T + generation,
    signsFrom: T + generation * 1000,
    ...overrides,
  };
}

/** The behaviour every SigningKeyRepository adapter must show, the race for a generation included. */
export function signingKeyRepositoryContract(
  { describe, it, expect, beforeEach, afterEach }: ContractTestApi,
  name: string,
  open: () => Promise<SigningKeyStoreFixture>,
): void {
  describe(`SigningKeyRepository contract: ${name}`, () => {
    let fixture: SigningKeyStoreFixture;
    let keys: SigningKeyRepository;

    beforeEach(async () => {
      fixture = await open();
      ({ keys } = fixture);
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('stores keys as given and lists them by generation', async () => {
      expect(await keys.list()).toEqual([]);
      const second = storedSigningKey(2, 'b', { algorithm: 'ES256', publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'b', alg: 'ES256', use: 'sig' } });
      expect(await keys.add(second)).toBe(true);
      expect(await keys.add(storedSigningKey(1, 'a'))).toBe(true);
      expect(await keys.list()).toEqual([storedSigningKey(1, 'a'), second]);
    });

    it('keeps the first key of a generation, and refuses a kid stored already', async () => {
      expect(await keys.add(storedSigningKey(1, 'a'))).toBe(true);
      expect(await keys.add(storedSigningKey(1, 'other'))).toBe(false);
      expect(await keys.add(storedSigningKey(2, 'a'))).toBe(false);
      expect((await keys.list()).map((key) => key.kid)).toEqual(['a']);
    });

    it('removes the keys of the kids named, and no other', async () => {
      for (const [generation, kid] of [[1, 'a'], [2, 'b'], [3, 'c']] as const) await keys.add(storedSigningKey(generation, kid));
      expect(await keys.remove([])).toBe(0);
      expect(await keys.remove(['a', 'c', 'unknown'])).toBe(2);
      expect((await keys.list()).map((key) => key.kid)).toEqual(['b']);
    });

    it('gives a generation to exactly one of the instances adding it at once', async () => {
      const through = [keys, fixture.other ?? keys];
      for (let round = 1; round <= SIGNING_KEY_RACE_ROUNDS; round++) {
        const added = await Promise.all(
          Array.from({ length: RACERS }, (_, racer) => through[racer % through.length]!.add(storedSigningKey(round, `round-${round}-racer-${racer}`))),
        );
        expect(added.filter(Boolean)).toHaveLength(1);
        const stored = (await keys.list()).filter((key) => key.generation === round);
        expect(stored).toHaveLength(1);
        expect(stored[0]!.kid).toBe(`round-${round}-racer-${added.indexOf(true)}`);
      }
    });
  });
}
