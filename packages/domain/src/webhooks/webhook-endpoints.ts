import type { Clock } from '../kernel/clock';
import { systemClock } from '../kernel/clock';
import type { SecretBox } from '../ports/secret-box';
import type { WebhookEndpoint } from './webhook-endpoint';
import { checkedEndpointUrl, checkedEventTypes, endpointWants, newEndpointSecret } from './webhook-endpoint';
import { UnknownWebhookDeliveryError, UnknownWebhookEndpointError } from './webhook-errors';
import type { WebhookEventType } from './webhook-event';
import { WEBHOOK_EVENT_TYPES } from './webhook-event';
import type { EventSubscriptions } from './webhook-events';
import type { DeliveryQuery, WebhookDelivery, WebhookStore } from './webhook-store';

/** The context every endpoint secret is sealed under. */
export const ENDPOINT_SECRET_CONTEXT = 'webhook_endpoint_secret';

export interface WebhookEndpointSettings {
  /** How long a rotated-out secret still signs beside the new one. */
  secretOverlapMs: number;
  /** How long a process trusts what it read of the endpoints (an endpoint added elsewhere is seen after at most this). */
  subscriptionsRefreshMs: number;
}

export const DEFAULT_WEBHOOK_ENDPOINT_SETTINGS: WebhookEndpointSettings = {
  secretOverlapMs: 24 * 3600_000,
  subscriptionsRefreshMs: 2000,
};

export interface WebhookEndpointsDeps {
  store: WebhookStore;
  box: SecretBox;
  clock?: Clock;
  settings?: Partial<WebhookEndpointSettings>;
  /** A delivery was replayed: the dispatcher may start at once. */
  wake?: () => void;
}

/** An endpoint just made or rotated, with its secret in the clear: shown once, never again. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

/**
 * The endpoints operators manage (add, list, remove, rotate a secret), their deliveries
 * (listed, replayed), and what the changes ask before writing an event: whether any
 * endpoint wants its type, read at most every `subscriptionsRefreshMs`.
 */
export class WebhookEndpoints implements EventSubscriptions {
  readonly settings: WebhookEndpointSettings;
  private wanted?: { types: ReadonlySet<WebhookEventType>; readAt: number };
  private reading?: Promise<ReadonlySet<WebhookEventType>>;
  private readonly clock: Clock;

  constructor(private readonly deps: WebhookEndpointsDeps) {
    this.settings = { ...DEFAULT_WEBHOOK_ENDPOINT_SETTINGS, ...deps.settings };
    this.clock = deps.clock ?? systemClock;
  }

  /** A new endpoint with a new secret, for the URL and types given (every type when none is). */
  async add(url: string, events?: readonly string[]): Promise<EndpointWithSecret> {
    const secret = newEndpointSecret();
    const endpoint = await this.deps.store.addEndpoint({
      url: checkedEndpointUrl(url),
      events: checkedEventTypes(events),
      secrets: [{ sealed: this.deps.box.seal(secret, ENDPOINT_SECRET_CONTEXT), expiresAt: null }],
      createdAt: this.clock.now(),
    });
    this.forget();
    return { endpoint, secret };
  }

  list(): Promise<WebhookEndpoint[]> {
    return this.deps.store.listEndpoints();
  }

  async remove(id: number): Promise<void> {
    if (!(await this.deps.store.removeEndpoint(id))) throw new UnknownWebhookEndpointError(id);
    this.forget();
  }

  /**
   * A new current secret; the previous one keeps signing beside it until the overlap ends
   * (receivers accept either while they switch). Older ones stop at once.
   */
  async rotateSecret(id: number): Promise<EndpointWithSecret> {
    const endpoint = await this.deps.store.findEndpoint(id);
    if (!endpoint) throw new UnknownWebhookEndpointError(id);
    const now = this.clock.now();
    const secret = newEndpointSecret();
    const previous = endpoint.secrets.find((candidate) => candidate.expiresAt === null);
    const next = [
      { sealed: this.deps.box.seal(secret, ENDPOINT_SECRET_CONTEXT), expiresAt: null },
      ...(previous ? [{ sealed: previous.sealed, expiresAt: now + this.settings.secretOverlapMs }] : []),
    ];
    // Of two rotations at once, the loser tries again on what the winner stored.
    if (!(await this.deps.store.replaceSecrets(id, endpoint.secrets, next))) return this.rotateSecret(id);
    return { endpoint: { ...endpoint, secrets: next }, secret };
  }

  deliveries(query: DeliveryQuery): Promise<WebhookDelivery[]> {
    return this.deps.store.listDeliveries(query);
  }

  /** Sends a delivered or failed delivery again, with the same `webhook-id`. */
  async replay(id: number): Promise<void> {
    if (!(await this.deps.store.replay(id, this.clock.now()))) throw new UnknownWebhookDeliveryError(id);
    this.deps.wake?.();
  }

  async wants(type: WebhookEventType): Promise<boolean> {
    return (await this.wantedTypes()).has(type);
  }

  /** The types some endpoint wants; read again once older than the refresh interval (one read at a time). */
  private async wantedTypes(): Promise<ReadonlySet<WebhookEventType>> {
    const now = this.clock.now();
    if (this.wanted && now - this.wanted.readAt < this.settings.subscriptionsRefreshMs) return this.wanted.types;
    this.reading ??= this.deps.store
      .listEndpoints()
      .then((endpoints) => {
        const types = new Set(WEBHOOK_EVENT_TYPES.filter((type) => endpoints.some((endpoint) => endpointWants(endpoint, type))));
        this.wanted = { types, readAt: now };
        return types;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  /** This process changed the endpoints: read them again before the next event. */
  private forget(): void {
    this.wanted = undefined;
  }
}
