import type { SigningKeyRepository, StoredSigningKey } from '@latchkey/domain';

/**
 * Signing keys in a Map by generation, for one process. Each method reads and writes
 * within one synchronous stretch, so an add is atomic as the database's insert is.
 */
export class MemorySigningKeyRepository implements SigningKeyRepository {
  private readonly keys = new Map<number, StoredSigningKey>();

  async list(): Promise<StoredSigningKey[]> {
    return [...this.keys.values()].sort((a, b) => a.generation - b.generation).map(copy);
  }

  async add(key: StoredSigningKey): Promise<boolean> {
    if (this.keys.has(key.generation) || [...this.keys.values()].some((stored) => stored.kid === key.kid)) return false;
    this.keys.set(key.generation, copy(key));
    return true;
  }

  async remove(kids: readonly string[]): Promise<number> {
    let removed = 0;
    for (const [generation, key] of this.keys) {
      if (kids.includes(key.kid)) {
        this.keys.delete(generation);
        removed++;
      }
    }
    return removed;
  }
}

function copy(key: StoredSigningKey): StoredSigningKey {
  return { ...key, publicJwk: { ...key.publicJwk } };
}
