import type { Command } from '../command';
import { keysReport } from './keys-list';

export const keysRotate: Command = {
  name: 'keys rotate',
  args: [],
  summary: 'Make the next signing key: published now, signing after JWT_KEY_OVERLAP_SECONDS',
  details:
    'Nobody is signed out: the new key is published at once and signs only once every verifier that follows the key set\'s Cache-Control has it; ' +
    'the old key stays published until JWT_TTL_SECONDS (and a minute of clock skew) after that, then retires. Every instance picks the change up within 30 s. ' +
    'Refused (exit 3) while a key waits to sign, when 4 keys are published, and for keys given in JWT_SIGNING_KEYS. ' +
    'With --now (a key thought compromised) the new key signs at once and every other key is deleted: tokens they signed stop verifying, and a verifier holding the old set refetches it for the new kid.',
  options: {
    now: { type: 'boolean', description: 'Sign with the new key at once and retire every other key now' },
  },
  database: 'schema',
  async run({ options, services }) {
    const immediate = options.now === true;
    const listing = await services.auth.tokens.rotate({ immediate });
    const made = listing.keys.at(-1)!;
    const headline = immediate
      ? `key ${made.kid} signs from now; every other key is retired`
      : `key ${made.kid} is published now and signs from ${new Date(made.signsFrom!).toISOString()}`;
    return keysReport(listing, headline);
  },
};
