import type { Knex } from '@latchkey/adapters';
import { FetchWebhookSender, KnexWebhookStore, StandardWebhooksSigner } from '@latchkey/adapters';
import { WebhookDispatcher, WebhookEndpoints } from '@latchkey/domain';
import type { Clock, SecretBox, WebhookDispatcherSettings, WebhookSender } from '@latchkey/domain';
import type { Config } from './config';
import type { Logger } from './logger';

export interface WebhookServices {
  endpoints: WebhookEndpoints;
  dispatcher: WebhookDispatcher;
}

export interface WebhookOptions {
  /** The dispatcher's other bounds (poll interval, batch, lease); see DEFAULT_WEBHOOK_DISPATCHER_SETTINGS. */
  settings?: Partial<WebhookDispatcherSettings>;
  sender?: WebhookSender;
  clock?: Clock;
}

/**
 * Webhooks on the database of the services: the endpoints, what the changes ask before
 * writing an event, and the dispatcher. Its log lines name the delivery, the endpoint, the
 * event's id and type and the receiver's status, never the body or a secret.
 */
export function webhookServices(knex: Knex, config: Config, box: SecretBox, logger: Logger, options: WebhookOptions = {}): WebhookServices {
  const store = new KnexWebhookStore(knex);
  const attemptTimeoutMs = config.WEBHOOK_TIMEOUT_SECONDS * 1000;
  const dispatcher = new WebhookDispatcher({
    store,
    signer: new StandardWebhooksSigner(),
    sender: options.sender ?? new FetchWebhookSender(),
    box,
    clock: options.clock,
    settings: {
      attemptTimeoutMs,
      // A lease outlasts an attempt: the instance that holds a delivery settles it before another may take it.
      leaseMs: attemptTimeoutMs * 2 + 30_000,
      backoffMs: config.WEBHOOK_BACKOFF_MS,
      retryMs: config.WEBHOOK_RETRY_HOURS * 3600_000,
      retentionMs: config.WEBHOOK_RETENTION_DAYS * 86_400_000,
      pollIntervalMs: config.WEBHOOK_POLL_MS,
      ...options.settings,
    },
    onDelivered: (facts) => logger.debug?.(facts, 'webhook delivered'),
    onRetry: (facts, error, dueAt) => logger.warn({ ...facts, err: error, retryInMs: Math.max(0, dueAt - Date.now()) }, 'webhook not delivered; trying again later'),
    onFailure: (facts, error) => logger.error({ ...facts, err: error }, 'webhook delivery given up'),
    onError: (error) => logger.error({ err: (error as Error).message }, 'webhook deliveries cannot be read or written; trying again later'),
  });
  const endpoints = new WebhookEndpoints({
    store,
    box,
    clock: options.clock,
    settings: { secretOverlapMs: config.WEBHOOK_SECRET_OVERLAP_HOURS * 3600_000 },
    wake: () => dispatcher.wake(),
  });
  return { endpoints, dispatcher };
}
