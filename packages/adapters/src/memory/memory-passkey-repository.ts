import type { OutboxMessage, Passkey, PasskeyAdded, PasskeyChallenge, PasskeyChallengeStore, PasskeyRepository } from '@latchkey/domain';
import type { MemoryOutboxStore } from './memory-outbox-store';

/**
 * Passkeys in a Map. Every method reads and writes within one synchronous stretch (no
 * await in between), so each is atomic as a statement would be.
 */
export class MemoryPasskeyRepository implements PasskeyRepository {
  private readonly passkeys = new Map<string, Passkey>();

  /** `outbox`: where the events of adding and removing are written, in their step (the users' outbox). */
  constructor(private readonly outbox?: MemoryOutboxStore) {}

  async listForUser(userId: number): Promise<Passkey[]> {
    return [...this.passkeys.values()]
      .filter((passkey) => passkey.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
      .map(copy);
  }

  async findByCredentialId(credentialId: string): Promise<Passkey | null> {
    const found = [...this.passkeys.values()].find((passkey) => passkey.credentialId === credentialId);
    return found ? copy(found) : null;
  }

  async findForUser(userId: number, idOrCredentialId: string): Promise<Passkey | null> {
    const found = await this.findAny(idOrCredentialId);
    return found?.userId === userId ? found : null;
  }

  async findAny(idOrCredentialId: string): Promise<Passkey | null> {
    const found = this.passkeys.get(idOrCredentialId) ?? [...this.passkeys.values()].find((passkey) => passkey.credentialId === idOrCredentialId);
    return found ? copy(found) : null;
  }

  async add(passkey: Passkey, max: number, mail?: readonly OutboxMessage[]): Promise<PasskeyAdded> {
    const all = [...this.passkeys.values()];
    if (all.some((stored) => stored.credentialId === passkey.credentialId)) return 'duplicate';
    if (all.filter((stored) => stored.userId === passkey.userId).length >= max) return 'limit';
    this.passkeys.set(passkey.id, copy(passkey));
    this.outbox?.addNow(mail);
    return 'added';
  }

  async rename(userId: number, id: string, name: string): Promise<boolean> {
    const passkey = this.passkeys.get(id);
    if (passkey?.userId !== userId) return false;
    passkey.name = name;
    return true;
  }

  async remove(userId: number, id: string, keepLast: boolean, mail?: readonly OutboxMessage[]): Promise<Passkey | 'last' | null> {
    const passkey = this.passkeys.get(id);
    if (passkey?.userId !== userId) return null;
    if (keepLast && [...this.passkeys.values()].filter((stored) => stored.userId === userId).length <= 1) return 'last';
    this.passkeys.delete(id);
    this.outbox?.addNow(mail);
    return copy(passkey);
  }

  async recordUse(id: string, counter: number, at: number, backedUp: boolean): Promise<boolean> {
    const passkey = this.passkeys.get(id);
    if (!passkey || !(passkey.counter < counter || (passkey.counter === 0 && counter === 0))) return false;
    Object.assign(passkey, { counter, lastUsedAt: at, backedUp });
    return true;
  }

  async removeAll(userId: number): Promise<number> {
    return this.dropUserNow(userId);
  }

  /** Deletes the user's passkeys before returning: an account's deletion calls it in its own step. */
  dropUserNow(userId: number): number {
    const owned = [...this.passkeys.values()].filter((passkey) => passkey.userId === userId);
    for (const passkey of owned) this.passkeys.delete(passkey.id);
    return owned.length;
  }
}

/** Challenges of ceremonies in progress, in a Map; `take` deletes in the same stretch it reads. */
export class MemoryPasskeyChallengeStore implements PasskeyChallengeStore {
  private readonly challenges = new Map<string, PasskeyChallenge>();

  async put(challenge: PasskeyChallenge): Promise<void> {
    this.challenges.set(challenge.key, { ...challenge });
  }

  async take(key: string, now: number): Promise<PasskeyChallenge | null> {
    const found = this.challenges.get(key);
    if (!found || found.expiresAt <= now) return null;
    this.challenges.delete(key);
    return found;
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    let deleted = 0;
    for (const [key, challenge] of this.challenges) {
      if (deleted >= limit) break;
      if (challenge.expiresAt <= now) {
        this.challenges.delete(key);
        deleted++;
      }
    }
    return deleted;
  }
}

function copy(passkey: Passkey): Passkey {
  return { ...passkey, publicKey: new Uint8Array(passkey.publicKey), transports: [...passkey.transports] };
}
