import { z } from 'zod';
import { RETRY_AFTER, failure, json } from '../api-schemas';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

const Jwk = z
  .object({
    kty: z.enum(['OKP', 'EC']),
    crv: z.enum(['Ed25519', 'P-256']),
    x: z.string(),
    y: z.string().optional().meta({ description: 'EC keys only.' }),
    kid: z.string(),
    alg: z.enum(['EdDSA', 'ES256']),
    use: z.literal('sig'),
  })
  .meta({ id: 'Jwk' });

/** GET /.well-known/jwks.json: the public keys of tokens, cached by verifiers for a bounded time. */
export const wellKnownJwksRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'The public keys that verify signed tokens (JWK Set)',
    operationId: 'jwks',
    responses: {
      200: json(
        'Every published key: the one signing, one waiting to sign after a rotation, and those whose tokens may still be live. The same on every instance.',
        z.object({ keys: z.array(Jwk) }),
        {
          'Cache-Control': {
            description: '`public, max-age=<JWT_KEY_OVERLAP_SECONDS / 2>`: shorter than the time a new key is published before it signs.',
            required: true,
            schema: { type: 'string', pattern: '^public, max-age=[0-9]+$' },
          },
        },
      ),
      503: failure('No key set can be served: ENCRYPTION_KEYS is not set (production, without JWT_SIGNING_KEYS), or the database is unavailable.', RETRY_AFTER),
    },
    async handle(ctx, { auth }) {
      ctx.body = await auth.tokens.keySet();
      ctx.set('Cache-Control', `public, max-age=${auth.tokens.keySetMaxAgeSeconds}`);
    },
  }),
];
