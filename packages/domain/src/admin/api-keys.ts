import type { Clock } from '../kernel/clock';
import { systemClock } from '../kernel/clock';
import { ValidationError } from '../kernel/errors';
import { digestSecret, sameDigest } from '../kernel/secrets';
import type { ApiKey } from './api-key';
import { API_KEY_NAME_MAX, newApiKey } from './api-key';
import type { ApiKeyRepository } from './api-key-repository';
import { InvalidApiKeyError, ReadOnlyApiKeyError, UnknownApiKeyError } from './admin-errors';

/** A use is recorded at most this often per key: a busy program does not write on every call. */
const TOUCH_INTERVAL_MS = 60_000;

/** What a wrong or missing key is compared against, so that it costs what a right one does. */
const NO_KEY_DIGEST = digestSecret('');

/**
 * The admin API's keys: made (shown once), listed, revoked, and checked on every call. A
 * key is looked up by its SHA-256 digest (a dump of the table opens nothing) and compared
 * in constant time; a missing key does the same work as a wrong one, so neither answer
 * tells more than "no".
 */
export class ApiKeys {
  private readonly clock: Clock;

  constructor(
    private readonly keys: ApiKeyRepository,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  /** A new key: the key itself (shown once) and its record. */
  async create(name: string, readOnly: boolean): Promise<{ key: string; record: ApiKey }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > API_KEY_NAME_MAX) throw new ValidationError(`the key's name must have 1 to ${API_KEY_NAME_MAX} characters`);
    const key = newApiKey();
    const record = await this.keys.add({ name: trimmed, digest: digestSecret(key), readOnly, createdAt: this.clock.now() });
    return { key, record };
  }

  list(): Promise<ApiKey[]> {
    return this.keys.list();
  }

  async revoke(id: number): Promise<void> {
    if (!(await this.keys.revoke(id, this.clock.now()))) throw new UnknownApiKeyError(id);
  }

  /** The live key presented (a Bearer token); InvalidApiKeyError for none, a wrong one or a revoked one. */
  async authenticate(presented: string | undefined): Promise<ApiKey> {
    const digest = presented ? digestSecret(presented) : NO_KEY_DIGEST;
    const found = await this.keys.findByDigest(digest);
    // The lookup is by an index of digests; the comparison of what it found is constant-time as well.
    if (!found || !sameDigest(found.digest, digest) || found.revokedAt !== null || !presented) throw new InvalidApiKeyError();
    const now = this.clock.now();
    await this.keys.touch(found.id, now, now - TOUCH_INTERVAL_MS + 1);
    return found;
  }

  /** A change needs a key that is not read-only. */
  authorizeChange(key: ApiKey): void {
    if (key.readOnly) throw new ReadOnlyApiKeyError();
  }
}
