import type { Knex } from '@latchkey/adapters';
import { KnexOutboxStore } from '@latchkey/adapters';
import { MAIL_TOPIC, OutboxWorker } from '@latchkey/domain';
import type { OutboxMessageFacts, OutboxWorkerSettings } from '@latchkey/domain';
import type { Config } from './config';
import type { Logger } from './logger';

/** The part of the shutdown deadline the outbox may take to send what is due; the rest closes the pool. */
const DRAIN_SHARE_OF_SHUTDOWN = 0.5;
const DRAIN_MAX_MS = 5000;

/**
 * The outbox worker on the database of the services. Its log lines name the message
 * (id, topic, kind, recipient) and the error, never the payload: an email's holds a token.
 */
export function outboxWorker(knex: Knex, config: Config, logger: Logger, settings: Partial<OutboxWorkerSettings>): OutboxWorker {
  const drainMs = Math.min(DRAIN_MAX_MS, config.SHUTDOWN_TIMEOUT_SECONDS * 1000 * DRAIN_SHARE_OF_SHUTDOWN);
  return new OutboxWorker({
    store: new KnexOutboxStore(knex),
    settings: { drainMs, ...settings },
    onRetry: (message, error, dueAt) =>
      logger.warn({ ...message, err: errorText(error), retryInMs: Math.max(0, dueAt - Date.now()) }, 'outgoing message not delivered; trying again later'),
    onFailure: (message, error) => logger.error({ ...message, err: errorText(error) }, failureLine(message)),
    onError: (error) => logger.error({ err: errorText(error) }, 'the outbox cannot be read or written; trying again later'),
  });
}

function failureLine(message: OutboxMessageFacts): string {
  if (message.topic !== MAIL_TOPIC) return 'outgoing message given up';
  return message.kind === 'reset_link' ? 'reset email could not be delivered' : 'email could not be delivered';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
