import type { ApiKey, ApiKeyRepository, NewApiKey } from '@latchkey/domain';

/** The admin API's keys in a Map; each method one synchronous step. */
export class MemoryApiKeyRepository implements ApiKeyRepository {
  private readonly keys = new Map<number, ApiKey>();
  private lastId = 0;

  async add(key: NewApiKey): Promise<ApiKey> {
    if ([...this.keys.values()].some((other) => other.digest === key.digest)) throw new Error('an API key of this digest exists');
    const stored = { ...key, id: ++this.lastId, lastUsedAt: null, revokedAt: null };
    this.keys.set(stored.id, stored);
    return { ...stored };
  }

  async findByDigest(digest: string): Promise<ApiKey | null> {
    const found = [...this.keys.values()].find((key) => key.digest === digest);
    return found ? { ...found } : null;
  }

  async list(): Promise<ApiKey[]> {
    return [...this.keys.values()].map((key) => ({ ...key }));
  }

  async revoke(id: number, at: number): Promise<boolean> {
    const key = this.keys.get(id);
    if (!key || key.revokedAt !== null) return false;
    key.revokedAt = at;
    return true;
  }

  async touch(id: number, at: number, seenBefore: number): Promise<void> {
    const key = this.keys.get(id);
    if (key && (key.lastUsedAt === null || key.lastUsedAt < seenBefore)) key.lastUsedAt = at;
  }
}
