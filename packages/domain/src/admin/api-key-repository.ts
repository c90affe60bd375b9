import type { ApiKey, NewApiKey } from './api-key';

/** Storage of the admin API's keys. */
export interface ApiKeyRepository {
  add(key: NewApiKey): Promise<ApiKey>;
  /** The key of this digest, revoked or not; null for none. */
  findByDigest(digest: string): Promise<ApiKey | null>;
  /** Every key, revoked ones included, in id order. */
  list(): Promise<ApiKey[]>;
  /** Marks it revoked at `at`; false when there is no such live key. */
  revoke(id: number, at: number): Promise<boolean>;
  /** Records a use at `at` when the last recorded one is older than `seenBefore` (one conditional write). */
  touch(id: number, at: number, seenBefore: number): Promise<void>;
}
