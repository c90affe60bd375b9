import type { Command } from '../command';
import { wholeId } from './webhook-ids';

export const webhooksRemove: Command = {
  name: 'webhooks remove',
  args: ['ID'],
  summary: 'Stop sending events to an endpoint; its deliveries, pending ones included, are deleted',
  details: 'An unknown id exits 1.',
  database: 'schema',
  async run({ args: [text], services }) {
    const id = wholeId(text, 'ID', 'webhooks remove');
    await services.webhooks.remove(id);
    return { json: { id, removed: true }, text: `webhook endpoint ${id} removed` };
  },
};
