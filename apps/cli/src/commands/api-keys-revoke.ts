import type { Command } from '../command';
import { wholeId } from './webhook-ids';

export const apiKeysRevoke: Command = {
  name: 'api-keys revoke',
  args: ['ID'],
  summary: 'Revoke an admin API key: its next call answers 401',
  details: 'An unknown or already revoked id exits 1.',
  database: 'schema',
  async run({ args: [text], services }) {
    const id = wholeId(text, 'ID', 'api-keys revoke');
    await services.apiKeys.revoke(id);
    return { json: { id, revoked: true }, text: `API key ${id} revoked` };
  },
};
