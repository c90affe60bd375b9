import type { WebhookEndpoint } from '@latchkey/domain';
import { UsageError } from '../cli-errors';

/** An id given on the command line: a whole number, or a usage error naming the command. */
export function wholeId(text: string | undefined, what: string, command: string): number {
  const id = Number(text);
  if (!text || !/^\d+$/.test(text) || !Number.isSafeInteger(id)) throw new UsageError(`${what} must be a whole number`, command);
  return id;
}

/** An endpoint as listed: never its secrets, only how many sign. */
export function endpointJson(endpoint: WebhookEndpoint): Record<string, unknown> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events ?? 'all',
    secrets: endpoint.secrets.length,
    created_at: new Date(endpoint.createdAt).toISOString(),
  };
}
