import type { Command } from '../command';
import { fields } from '../output';
import { endpointJson } from './webhook-ids';

export const webhooksAdd: Command = {
  name: 'webhooks add',
  args: ['URL'],
  summary: 'Send events to a URL: prints its id and its secret (shown this once)',
  details:
    'Only https:// URLs, or http:// to 127.0.0.1 or localhost, are accepted (exit 3 otherwise). Without --events the endpoint gets every type: ' +
    'user.created, user.email_verified, user.email_changed, user.password_changed, user.deleted, session.created, session.revoked, second_factor.enabled, second_factor.disabled, passkey.added, passkey.removed. ' +
    'Each event is signed as Standard Webhooks specifies with the secret printed (whsec_…); running servers start sending within 2 s. Needs ENCRYPTION_KEYS (the secret is stored sealed).',
  options: { events: { type: 'string', value: 'a,b', description: 'Only these event types, comma-separated' } },
  database: 'schema',
  async run({ args: [url], options, services }) {
    const events = typeof options.events === 'string' ? options.events.split(',').map((name) => name.trim()).filter(Boolean) : undefined;
    const { endpoint, secret } = await services.webhooks.add(url!, events);
    return {
      json: { ...endpointJson(endpoint), secret },
      text: fields([
        ['id', String(endpoint.id)],
        ['url', endpoint.url],
        ['events', endpoint.events?.join(', ') ?? 'all'],
        ['secret', secret],
        ['', 'the secret is shown this once: give it to the receiver now'],
      ]),
    };
  },
};
