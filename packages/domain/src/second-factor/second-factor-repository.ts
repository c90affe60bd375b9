import type { OutboxMessage } from '../outbox/outbox-message';
import type { PendingLogin, SecondFactor } from './second-factor';

/**
 * Storage of second factors and their recovery codes (stored as SHA-256 digests). Every
 * method is one atomic step of the storage: of two requests using one code, one wins.
 */
export interface SecondFactorRepository {
  find(userId: number): Promise<SecondFactor | null>;
  /** Starts (or restarts) an enrolment with this sealed secret; false when one is enabled already. */
  startEnrolment(userId: number, sealedSecret: string, at: number): Promise<boolean>;
  /**
   * Enables the enrolment while its secret is still `sealedSecret` and it is not enabled,
   * recording `step` as used, and stores these recovery codes in place of any, with `mail`
   * (its event): one step.
   */
  enable(userId: number, sealedSecret: string, step: number, recoveryDigests: readonly string[], at: number, mail?: readonly OutboxMessage[]): Promise<boolean>;
  /** Records the code of `step` as used when the factor is enabled and no code of this or a later step was; false otherwise. */
  useStep(userId: number, step: number): Promise<boolean>;
  /** Marks the recovery code used when it is the user's and unused; false otherwise. */
  useRecoveryCode(userId: number, digest: string, at: number): Promise<boolean>;
  /** Replaces every recovery code of an enabled factor; false when none is enabled. */
  replaceRecoveryCodes(userId: number, digests: readonly string[]): Promise<boolean>;
  /** Unused recovery codes of the user. */
  countRecoveryCodes(userId: number): Promise<number>;
  /**
   * Deletes the factor (enabled or not) and its recovery codes; false when there was none.
   * `mail` (its event) is written in the same step when the factor removed was enabled.
   */
  remove(userId: number, mail?: readonly OutboxMessage[]): Promise<boolean>;
}

/** Storage of pending logins; each method one atomic step. */
export interface PendingLoginRepository {
  /** Stores it, and ends the user's oldest pending logins beyond the `keep` newest. */
  add(pending: PendingLogin, keep: number): Promise<void>;
  /** The pending login of this digest while it has not expired at `now`. */
  find(tokenDigest: string, now: number): Promise<PendingLogin | null>;
  /** Deletes and returns it while it has not expired at `now`: one caller gets it. */
  take(tokenDigest: string, now: number): Promise<PendingLogin | null>;
  /** Ends every pending login of the user; how many. */
  endAll(userId: number): Promise<number>;
  /** Deletes at most `limit` pending logins expired at `now`; how many. */
  deleteExpired(now: number, limit: number): Promise<number>;
}
