import type { Command } from '../command';
import { isoTime, table } from '../output';

export const apiKeysList: Command = {
  name: 'api-keys list',
  args: [],
  summary: 'List the admin API keys (never the keys): name, access, last use, revocation',
  database: 'schema',
  async run({ services }) {
    const keys = await services.apiKeys.list();
    const json = keys.map((key) => ({
      id: key.id,
      name: key.name,
      read_only: key.readOnly,
      created_at: isoTime(key.createdAt),
      last_used_at: isoTime(key.lastUsedAt),
      revoked_at: isoTime(key.revokedAt),
    }));
    return {
      json: { keys: json },
      text:
        keys.length === 0
          ? 'no API keys'
          : table(
              ['ID', 'NAME', 'ACCESS', 'LAST USED', 'STATE'],
              json.map((key) => [String(key.id), key.name, key.read_only ? 'read-only' : 'read+change', key.last_used_at ?? 'never', key.revoked_at ? `revoked ${key.revoked_at}` : 'live']),
            ),
    };
  },
};
