import type { Command } from '../command';
import { table } from '../output';
import { endpointJson } from './webhook-ids';

export const webhooksList: Command = {
  name: 'webhooks list',
  args: [],
  summary: 'List the webhook endpoints (never their secrets)',
  database: 'schema',
  async run({ services }) {
    const endpoints = await services.webhooks.list();
    const now = Date.now();
    return {
      json: { endpoints: endpoints.map(endpointJson) },
      text:
        endpoints.length === 0
          ? 'no webhook endpoints'
          : table(
              ['ID', 'URL', 'EVENTS', 'SECRETS'],
              endpoints.map((endpoint) => [
                String(endpoint.id),
                endpoint.url,
                endpoint.events?.join(',') ?? 'all',
                endpoint.secrets.filter((secret) => secret.expiresAt === null || secret.expiresAt > now).length > 1 ? '2 (rotating)' : '1',
              ]),
            ),
    };
  },
};
