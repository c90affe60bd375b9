import type { Command } from '../command';
import { fields } from '../output';

export const apiKeysCreate: Command = {
  name: 'api-keys create',
  args: ['NAME'],
  summary: 'Make a key for the admin API: prints it once (only its SHA-256 digest is stored)',
  details:
    'Programs send it as `Authorization: Bearer <key>` to the /admin/… routes (on ADMIN_PORT when set). ' +
    'A read-only key may read users; every change it asks for answers 403. Every call is an audit event naming the key (actor api_key:<id>).',
  options: { 'read-only': { type: 'boolean', description: 'Reads only: every change answers 403' } },
  database: 'schema',
  async run({ args: [name], options, services }) {
    const { key, record } = await services.apiKeys.create(name!, options['read-only'] === true);
    return {
      json: { id: record.id, name: record.name, read_only: record.readOnly, key },
      text: fields([
        ['id', String(record.id)],
        ['name', record.name],
        ['access', record.readOnly ? 'read-only' : 'read and change'],
        ['key', key],
        ['', 'the key is shown this once: store it where the program reads it'],
      ]),
    };
  },
};
