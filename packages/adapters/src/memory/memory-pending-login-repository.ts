import type { PendingLogin, PendingLoginRepository } from '@latchkey/domain';

/** Pending logins in a Map; each method one synchronous stretch, so atomic. */
export class MemoryPendingLoginRepository implements PendingLoginRepository {
  private readonly rows = new Map<string, PendingLogin>();

  async add(pending: PendingLogin, keep: number): Promise<void> {
    this.rows.set(pending.tokenDigest, { ...pending });
    const ofUser = [...this.rows.values()].filter((row) => row.userId === pending.userId);
    // Map order is insertion order: the oldest come first.
    for (const old of ofUser.slice(0, Math.max(0, ofUser.length - keep))) this.rows.delete(old.tokenDigest);
  }

  async find(tokenDigest: string, now: number): Promise<PendingLogin | null> {
    const pending = this.rows.get(tokenDigest);
    return pending && pending.expiresAt > now ? { ...pending } : null;
  }

  async take(tokenDigest: string, now: number): Promise<PendingLogin | null> {
    const pending = this.rows.get(tokenDigest);
    if (!pending || pending.expiresAt <= now) return null;
    this.rows.delete(tokenDigest);
    return pending;
  }

  async endAll(userId: number): Promise<number> {
    let ended = 0;
    for (const [digest, pending] of this.rows) {
      if (pending.userId === userId && this.rows.delete(digest)) ended++;
    }
    return ended;
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    let deleted = 0;
    for (const [digest, pending] of this.rows) {
      if (deleted >= limit) break;
      if (pending.expiresAt <= now && this.rows.delete(digest)) deleted++;
    }
    return deleted;
  }
}
