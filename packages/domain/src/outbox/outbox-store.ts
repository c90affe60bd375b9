import type { ClaimedMessage, OutboxMessage } from './outbox-message';

export interface ClaimOptions {
  /** The worker's clock: messages due at or before it are claimed. */
  now: number;
  /** At most this many messages (a bounded batch). */
  limit: number;
  /** The claim holds until now + leaseMs; past it another worker may claim the message again. */
  leaseMs: number;
  /** Only messages of these topics (those the worker has a handler for). */
  topics: readonly string[];
  /** The token settling these messages; new for each claim. */
  claim: string;
}

/**
 * Storage of outbox messages. A message written is due at once; claiming is one atomic
 * step, so of workers racing (in one process or many), each due message goes to exactly
 * one until its lease ends. A message delivered is deleted; one given up is kept, marked
 * failed and without its payload, until `deleteFailedBefore`.
 *
 * Repositories whose changes send mail take the messages as an argument and write them in
 * the change's own transaction (see UserRepository.addUser, AccountRepository…): `add` is
 * for messages that go with no change.
 */
export interface OutboxStore {
  /** Writes the messages, due at once, in one atomic step. */
  add(messages: readonly OutboxMessage[]): Promise<void>;
  /** Claims due messages, oldest due first: attempts counted, leased until now + leaseMs. */
  claim(options: ClaimOptions): Promise<ClaimedMessage[]>;
  /** Delivered: deletes the message while `claim` holds it; false when it no longer does. */
  delivered(id: number, claim: string): Promise<boolean>;
  /** Not delivered this time: due again at `dueAt`, the error kept (short, no payload). */
  retry(id: number, claim: string, dueAt: number, error: string): Promise<boolean>;
  /** Given up: marked failed at `at`, its payload erased (it may hold a token). */
  fail(id: number, claim: string, at: number, error: string): Promise<boolean>;
  /** Deletes at most `limit` messages that failed before `cutoff`; how many were. */
  deleteFailedBefore(cutoff: number, limit: number): Promise<number>;
  /** When the earliest pending message of these topics is due (a leased one: when its lease ends); null for none. */
  nextDueAt(topics: readonly string[]): Promise<number | null>;
}
