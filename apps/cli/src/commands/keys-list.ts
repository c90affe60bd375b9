import type { KeyListing, KeyTimeline } from '@latchkey/domain';
import type { Command } from '../command';
import { isoTime, table } from '../output';

export const keysList: Command = {
  name: 'keys list',
  args: [],
  summary: 'List the keys that sign tokens, with their timeline',
  details:
    'Each key by its kid (as in GET /.well-known/jwks.json), its algorithm and its state: `next` (published, signs from SIGNS FROM), ' +
    '`signing`, `verifying` (published until RETIRES, when every token it signed has expired) or `retired`. ' +
    'Keys generated at the first start are stored in the database, sealed with ENCRYPTION_KEYS; keys given in JWT_SIGNING_KEYS are listed as given. Never a private key.',
  database: 'schema',
  async run({ services }) {
    return keysReport(await services.auth.tokens.list());
  },
};

/** The keys as `keys list` and `keys rotate` print them. */
export function keysReport(listing: KeyListing, headline?: string): { json: unknown; text: string } {
  const keys = listing.keys.map(keyView);
  const rows = keys.map((key) => [key.kid, key.algorithm, key.state, key.published_at ?? '-', key.signs_from ?? '-', key.signs_until ?? '-', key.retires_at ?? '-']);
  const lines = [
    ...(headline ? [headline] : []),
    table(['KID', 'ALG', 'STATE', 'PUBLISHED', 'SIGNS FROM', 'SIGNS UNTIL', 'RETIRES'], rows),
    `${keys.length} ${keys.length === 1 ? 'key' : 'keys'} (from ${listing.source})`,
  ];
  return { json: { source: listing.source, keys }, text: lines.join('\n') };
}

function keyView(key: KeyTimeline) {
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    state: key.state,
    published_at: isoTime(key.publishedAt),
    signs_from: isoTime(key.signsFrom),
    signs_until: isoTime(key.signsUntil),
    retires_at: isoTime(key.retiresAt),
  };
}
