import type { Command } from '../command';
import { wholeId } from './webhook-ids';

export const webhooksReplay: Command = {
  name: 'webhooks replay',
  args: ['DELIVERY_ID'],
  summary: 'Send a delivered or failed delivery again: same webhook-id and body, retries starting afresh',
  details: 'A receiver that drops repeated webhook-ids sees it once. Exits 1 for an unknown id or one still pending.',
  database: 'schema',
  async run({ args: [text], services }) {
    const id = wholeId(text, 'DELIVERY_ID', 'webhooks replay');
    await services.webhooks.replay(id);
    await services.dispatcher.drain();
    return { json: { id, replayed: true }, text: `delivery ${id} queued again` };
  },
};
