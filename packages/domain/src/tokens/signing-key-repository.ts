import type { StoredSigningKey } from './signing-key';

/**
 * Storage of the signing keys every instance shares. A key is never changed once stored:
 * a rotation adds the next generation, a retirement deletes.
 */
export interface SigningKeyRepository {
  /** Every stored key, oldest generation first. */
  list(): Promise<StoredSigningKey[]>;
  /**
   * Stores the key unless its generation is stored already, in one atomic step: of two
   * instances adding the same generation at once, one gets true and the other false.
   */
  add(key: StoredSigningKey): Promise<boolean>;
  /** Deletes the keys of these kids; how many were. */
  remove(kids: readonly string[]): Promise<number>;
}
