import type { OutboxMessage } from './outbox-message';

/**
 * What the domain's services hand their outgoing work to. Messages that report a change
 * travel in the change's own repository call (one transaction); `add` is for those that go
 * with no change, `wake` tells that a change carrying messages has committed.
 */
export interface Outbox {
  /** Writes messages that go with no change, then starts their delivery. */
  add(messages: readonly OutboxMessage[]): Promise<void>;
  /** A change carrying messages committed: their delivery may start now (a poll would find them too). */
  wake(): void;
  /** Resolves once what is due has been delivered or given up, within a deadline (shutdown, tests). */
  drain?(): Promise<void>;
}
