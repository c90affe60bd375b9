import type { Command } from '../command';
import { fields } from '../output';
import { wholeId } from './webhook-ids';

export const webhooksRotateSecret: Command = {
  name: 'webhooks rotate-secret',
  args: ['ID'],
  summary: "Give an endpoint a new secret (shown this once); the old one signs beside it for WEBHOOK_SECRET_OVERLAP_HOURS",
  details:
    'During the overlap every webhook carries two signatures in webhook-signature, one per secret: a receiver holding either accepts it, so it can switch without losing an event. ' +
    'A secret older than the previous one stops at once. An unknown id exits 1.',
  database: 'schema',
  async run({ args: [text], services }) {
    const id = wholeId(text, 'ID', 'webhooks rotate-secret');
    const { endpoint, secret } = await services.webhooks.rotateSecret(id);
    const previous = endpoint.secrets.find((candidate) => candidate.expiresAt !== null);
    const until = previous?.expiresAt != null ? new Date(previous.expiresAt).toISOString() : null;
    return {
      json: { id, secret, previous_secret_signs_until: until },
      text: fields([
        ['id', String(id)],
        ['secret', secret],
        ['previous secret signs until', until ?? 'no longer (no overlap)'],
        ['', 'the secret is shown this once: give it to the receiver now'],
      ]),
    };
  },
};
