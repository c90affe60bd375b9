import type { EndpointSecret, NewWebhookEndpoint, WebhookEndpoint } from './webhook-endpoint';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint, as listed: never its body's secrets (it holds none) nor the endpoint's. */
export interface WebhookDelivery {
  id: number;
  endpointId: number;
  /** The `webhook-id` of every attempt. */
  eventId: string;
  eventType: string;
  userId: number | null;
  state: DeliveryState;
  /** Attempts so far. */
  attempts: number;
  /** When the event was written (its change committed). */
  createdAt: number;
  /** While pending: when the next attempt is due. */
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  /** When it was delivered or given up. */
  settledAt: number | null;
  /** The receiver's last HTTP status; null when it did not answer. */
  lastStatus: number | null;
  lastError: string | null;
}

/** A delivery a dispatcher holds for one attempt. */
export interface ClaimedDelivery {
  id: number;
  endpointId: number;
  url: string;
  secrets: EndpointSecret[];
  eventId: string;
  eventType: string;
  /** The JSON body, exactly as it is sent on every attempt. */
  body: string;
  /** Attempts so far, this one included. */
  attempts: number;
  /** When its retries started (the fan-out, or a replay): it is given up past the retry window. */
  startedAt: number;
  claim: string;
}

export interface DeliveryClaimOptions {
  now: number;
  limit: number;
  leaseMs: number;
  claim: string;
}

/** What an attempt came to. */
export interface AttemptOutcome {
  at: number;
  status: number | null;
  error: string | null;
}

export interface DeliveryQuery {
  state?: DeliveryState;
  endpointId?: number;
  /** The most recent first, at most this many. */
  limit: number;
}

/**
 * Storage of webhook endpoints and their deliveries, beside the outbox that the changes
 * write their events to.
 *
 * Ordering: deliveries of one user to one endpoint go one at a time in the order of their
 * events, so `claim` takes a delivery only while no earlier one of its user and endpoint is
 * pending (a failing one holds the later ones back until it is delivered or given up).
 * Claiming is atomic across processes (FOR UPDATE SKIP LOCKED on PostgreSQL), and every
 * settling names the claim's token, as the outbox's do.
 */
export interface WebhookStore {
  addEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint>;
  listEndpoints(): Promise<WebhookEndpoint[]>;
  findEndpoint(id: number): Promise<WebhookEndpoint | null>;
  /** Sets the secrets while they still are `current` (of two rotations at once, one wins). */
  replaceSecrets(id: number, current: readonly EndpointSecret[], next: readonly EndpointSecret[]): Promise<boolean>;
  /** Deletes the endpoint and its deliveries; false when there was none. */
  removeEndpoint(id: number): Promise<boolean>;
  /**
   * Moves at most `limit` events of the outbox, oldest first, into one pending delivery for
   * each endpoint that wants it (none wants it: it is dropped), in one transaction; how many
   * events were moved. One process moves at a time (0 while another does): deliveries are
   * created in the order of the events. Moving an event twice creates nothing twice.
   */
  fanOut(limit: number, now: number): Promise<number>;
  /** Claims due deliveries, each the earliest pending of its user and endpoint, oldest due first. */
  claim(options: DeliveryClaimOptions): Promise<ClaimedDelivery[]>;
  delivered(id: number, claim: string, outcome: AttemptOutcome): Promise<boolean>;
  /** Not delivered this time: due again at `dueAt`. */
  retry(id: number, claim: string, dueAt: number, outcome: AttemptOutcome): Promise<boolean>;
  /** Given up: kept, marked failed, until deleteSettledBefore; it no longer holds its user's later events back. */
  fail(id: number, claim: string, outcome: AttemptOutcome): Promise<boolean>;
  listDeliveries(query: DeliveryQuery): Promise<WebhookDelivery[]>;
  /** Sends a settled delivery again (same id, same body), its retries starting at `now`; false when none is settled by that id. */
  replay(id: number, now: number): Promise<boolean>;
  /** Deletes at most `limit` deliveries settled before `cutoff`; how many. */
  deleteSettledBefore(cutoff: number, limit: number): Promise<number>;
  /** When the next pending delivery is due, `now` when events wait to be moved; null for nothing. */
  nextDueAt(now: number): Promise<number | null>;
}
