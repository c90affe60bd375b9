import type { OutboxMessage } from '../outbox/outbox-message';
import type { Passkey, PasskeyChallenge } from './passkey';

/** What adding a passkey did. */
export type PasskeyAdded = 'added' | 'duplicate' | 'limit';

/**
 * Storage of passkeys. Every change is one atomic step of the storage: of two requests
 * using one counter value, one wins; of two removals of a passkey-only account's last two
 * passkeys, one wins.
 */
export interface PasskeyRepository {
  listForUser(userId: number): Promise<Passkey[]>;
  findByCredentialId(credentialId: string): Promise<Passkey | null>;
  /** The user's passkey of this public id or credential id. */
  findForUser(userId: number, idOrCredentialId: string): Promise<Passkey | null>;
  /** A passkey by its public id or credential id, whoever owns it (operators). */
  findAny(idOrCredentialId: string): Promise<Passkey | null>;
  /**
   * Stores it while the user holds fewer than `max` and no passkey has its credential id,
   * with `mail` (its event) in the same step.
   */
  add(passkey: Passkey, max: number, mail?: readonly OutboxMessage[]): Promise<PasskeyAdded>;
  rename(userId: number, id: string, name: string): Promise<boolean>;
  /**
   * Deletes the user's passkey, with `mail`; when `keepLast`, only while another passkey of
   * the user remains (checked in the same step). The passkey removed, 'last' when it was the
   * last one kept, null when the user has none of this id.
   */
  remove(userId: number, id: string, keepLast: boolean, mail?: readonly OutboxMessage[]): Promise<Passkey | 'last' | null>;
  /**
   * Records a use: the counter becomes `counter` while the stored one is lower, or while
   * both are 0 (authenticators that keep no counter); false otherwise (a counter gone
   * backwards or repeated: a cloned key, or a replay).
   */
  recordUse(id: string, counter: number, at: number, backedUp: boolean): Promise<boolean>;
  /** Every passkey of the user, removed (account deletion is the account's repository's). */
  removeAll(userId: number): Promise<number>;
}

/** Challenges of ceremonies in progress; each method one atomic step. */
export interface PasskeyChallengeStore {
  /** Stores it, replacing the challenge of the same key. */
  put(challenge: PasskeyChallenge): Promise<void>;
  /** Deletes and returns the challenge of the key while it has not expired at `now`: of concurrent callers, one gets it. */
  take(key: string, now: number): Promise<PasskeyChallenge | null>;
  /** Deletes at most `limit` challenges expired at `now`; how many. */
  deleteExpired(now: number, limit: number): Promise<number>;
}
