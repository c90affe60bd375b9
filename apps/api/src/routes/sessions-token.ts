import { z } from 'zod';
import { NoLiveSessionError } from '@latchkey/domain';
import { DATABASE_DOWN, RETRY_AFTER, failure, json } from '../api-schemas';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

/** POST /sessions/token: a short-lived JWT of the session, for services that check it against the key set. */
export const sessionsTokenRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/sessions/token',
    summary: 'A signed token of the session, for other services',
    operationId: 'sessionToken',
    session: 'probe',
    responses: {
      200: json(
        'A JWT (EdDSA or ES256, `kid` in its header) with `iss` (JWT_ISSUER), `aud` (JWT_AUDIENCE), `sub` (the user id), `email`, `sid` (the session id), `amr` (`["pwd"]`; `["pwd","otp"]` after a second factor code; `["hwk"]` for a passkey sign-in; `["pwd","hwk"]` for a passkey after the password), `iat` and `exp` (JWT_TTL_SECONDS, never past the end of the session). Verify it with GET /.well-known/jwks.json.',
        z.object({
          token: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/).meta({ description: 'Compact JWS.' }),
          expires_at: z.iso.datetime().meta({ description: 'Its `exp`.' }),
        }),
      ),
      401: failure('No live session: no cookie, or one that opens nothing (ended, expired, a pending login waiting for its second factor).'),
      403: failure('"cross-origin request refused": sent from a page of another origin than the service or ALLOWED_ORIGINS.'),
      503: failure(`No signing key can be used (the message says why: ENCRYPTION_KEYS missing or without the key that sealed it), or ${DATABASE_DOWN}.`, RETRY_AFTER),
    },
    async handle(ctx, { auth }) {
      if (!ctx.state.auth) throw new NoLiveSessionError();
      // The service's own origin as the client reached it (X-Forwarded-* with TRUST_PROXY); Koa's ctx.origin is the Origin header.
      const issued = await auth.tokens.issue(ctx.state.auth, `${ctx.protocol}://${ctx.host}`);
      ctx.body = { token: issued.token, expires_at: new Date(issued.expiresAt).toISOString() };
    },
  }),
];
