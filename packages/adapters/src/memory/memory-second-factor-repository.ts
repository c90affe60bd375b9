import type { OutboxMessage, SecondFactor, SecondFactorRepository } from '@latchkey/domain';
import type { MemoryOutboxStore } from './memory-outbox-store';

/**
 * Second factors and recovery codes in Maps. Every method reads and writes within one
 * synchronous stretch (no await in between), so each is atomic as a statement would be.
 */
export class MemorySecondFactorRepository implements SecondFactorRepository {
  private readonly factors = new Map<number, SecondFactor>();
  /** Per user: code digest → used at (null while unused). */
  private readonly codes = new Map<number, Map<string, number | null>>();

  /** `outbox`: where the events of enabling and removing are written, in their step (the users' outbox). */
  constructor(private readonly outbox?: MemoryOutboxStore) {}

  async find(userId: number): Promise<SecondFactor | null> {
    const factor = this.factors.get(userId);
    return factor ? { ...factor } : null;
  }

  async startEnrolment(userId: number, sealedSecret: string): Promise<boolean> {
    if (this.factors.get(userId)?.enabledAt != null) return false;
    this.factors.set(userId, { userId, sealedSecret, enabledAt: null, lastStep: null });
    return true;
  }

  async enable(userId: number, sealedSecret: string, step: number, recoveryDigests: readonly string[], at: number, mail?: readonly OutboxMessage[]): Promise<boolean> {
    const factor = this.factors.get(userId);
    if (!factor || factor.enabledAt !== null || factor.sealedSecret !== sealedSecret) return false;
    this.outbox?.addNow(mail);
    this.factors.set(userId, { ...factor, enabledAt: at, lastStep: step });
    this.codes.set(userId, new Map(recoveryDigests.map((digest) => [digest, null])));
    return true;
  }

  async useStep(userId: number, step: number): Promise<boolean> {
    const factor = this.factors.get(userId);
    if (!factor || factor.enabledAt === null || (factor.lastStep !== null && factor.lastStep >= step)) return false;
    factor.lastStep = step;
    return true;
  }

  async useRecoveryCode(userId: number, digest: string, at: number): Promise<boolean> {
    const codes = this.codes.get(userId);
    if (!codes || codes.get(digest) !== null) return false;
    codes.set(digest, at);
    return true;
  }

  async replaceRecoveryCodes(userId: number, digests: readonly string[]): Promise<boolean> {
    if (this.factors.get(userId)?.enabledAt == null) return false;
    this.codes.set(userId, new Map(digests.map((digest) => [digest, null])));
    return true;
  }

  async countRecoveryCodes(userId: number): Promise<number> {
    return [...(this.codes.get(userId)?.values() ?? [])].filter((usedAt) => usedAt === null).length;
  }

  async remove(userId: number, mail?: readonly OutboxMessage[]): Promise<boolean> {
    if (this.factors.get(userId)?.enabledAt != null) this.outbox?.addNow(mail);
    this.codes.delete(userId);
    return this.factors.delete(userId);
  }
}
