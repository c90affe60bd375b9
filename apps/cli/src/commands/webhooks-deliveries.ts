import type { WebhookDelivery } from '@latchkey/domain';
import type { Command } from '../command';
import { isoTime, table } from '../output';
import { wholeId } from './webhook-ids';

function deliveryJson(delivery: WebhookDelivery): Record<string, unknown> {
  return {
    id: delivery.id,
    endpoint: delivery.endpointId,
    event_id: delivery.eventId,
    type: delivery.eventType,
    user_id: delivery.userId,
    state: delivery.state,
    attempts: delivery.attempts,
    created_at: isoTime(delivery.createdAt),
    next_attempt_at: isoTime(delivery.nextAttemptAt),
    last_attempt_at: isoTime(delivery.lastAttemptAt),
    settled_at: isoTime(delivery.settledAt),
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
  };
}

export const webhooksDeliveries: Command = {
  name: 'webhooks deliveries',
  args: [],
  summary: 'List recent webhook deliveries, the most recent first (pending, delivered, failed)',
  details: 'A failed delivery was retried for WEBHOOK_RETRY_HOURS; `latchkey webhooks replay ID` sends it again. Settled deliveries are kept WEBHOOK_RETENTION_DAYS.',
  options: {
    failed: { type: 'boolean', description: 'Only deliveries given up' },
    endpoint: { type: 'string', value: 'ID', description: 'Only those of this endpoint' },
    limit: { type: 'string', value: 'N', description: 'At most N (default 50)', wholeNumber: { min: 1, max: 10_000 } },
  },
  database: 'schema',
  async run({ options, services }) {
    const endpointId = typeof options.endpoint === 'string' ? wholeId(options.endpoint, '--endpoint', 'webhooks deliveries') : undefined;
    const deliveries = await services.webhooks.deliveries({
      state: options.failed === true ? 'failed' : undefined,
      endpointId,
      limit: typeof options.limit === 'number' ? options.limit : 50,
    });
    return {
      json: { deliveries: deliveries.map(deliveryJson) },
      text:
        deliveries.length === 0
          ? 'no webhook deliveries'
          : table(
              ['ID', 'ENDPOINT', 'TYPE', 'USER', 'STATE', 'ATTEMPTS', 'LAST', 'CREATED'],
              deliveries.map((d) => [
                String(d.id),
                String(d.endpointId),
                d.eventType,
                d.userId === null ? '-' : String(d.userId),
                d.state,
                String(d.attempts),
                d.lastError ?? (d.lastStatus === null ? '-' : `HTTP ${d.lastStatus}`),
                isoTime(d.createdAt)!,
              ]),
            ),
    };
  },
};
