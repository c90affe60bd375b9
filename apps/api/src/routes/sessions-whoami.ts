import type { Context } from 'koa';
import { z } from 'zod';
import { NoLiveSessionError, passedSecondFactor } from '@latchkey/domain';
import { Email, UNAVAILABLE, failure, json } from '../api-schemas';
import type { Headers } from '../api-schemas';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

const header = (description: string): Headers[string] => ({ description, required: true, schema: { type: 'string' } });

const IDENTITY_HEADERS: Headers = {
  'X-Latchkey-User-Id': header('The user id, for the proxy to pass on (nginx `auth_request_set`, Caddy `copy_headers`, Traefik `authResponseHeaders`).'),
  'X-Latchkey-Email': header('The email, with `%`, spaces and characters outside printable ASCII percent-encoded as UTF-8 (decodeURIComponent reads it back).'),
  'X-Latchkey-Session-Id': header('The public id of the session.'),
};

const RETURN_TO: Headers = {
  'X-Latchkey-Return-To': {
    description:
      'When the proxy sent X-Forwarded-Uri (with X-Forwarded-Host and X-Forwarded-Proto): the URL the client asked for, percent-encoded for a query, so that the proxy can redirect a browser to `/login?return_to=<this>`.',
    required: false,
    schema: { type: 'string' },
  },
};

const Whoami = z.object({
  user_id: z.int(),
  email: Email,
  session_id: z.string().meta({ format: 'uuid', description: 'The public id of the session.' }),
  second_factor: z.boolean().meta({ description: 'True when the login passed a second factor.' }),
  expires_at: z.iso.datetime().meta({ description: 'When the session ends if unused from now on.' }),
});

/** GET /sessions/whoami: forward auth for reverse proxies (nginx auth_request, Caddy forward_auth, Traefik ForwardAuth). */
export const sessionsWhoamiRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/sessions/whoami',
    summary: 'Who the session cookie belongs to, for a reverse proxy',
    operationId: 'whoami',
    session: 'probe',
    responses: {
      200: json('The live session and its user, in the body and in headers a proxy passes to the service behind it.', Whoami, IDENTITY_HEADERS),
      401: failure('No live session: no cookie, or one that opens nothing (ended, expired, a pending login). Never a redirect: the proxy decides.', RETURN_TO),
      503: UNAVAILABLE,
    },
    handle(ctx, { auth }) {
      const found = ctx.state.auth;
      if (!found) {
        const returnTo = requestedUrl(ctx);
        if (returnTo) ctx.set('X-Latchkey-Return-To', encodeURIComponent(returnTo));
        throw new NoLiveSessionError();
      }
      const { user, session } = found;
      ctx.set({ 'X-Latchkey-User-Id': String(user.id), 'X-Latchkey-Email': headerSafe(user.email), 'X-Latchkey-Session-Id': session.id });
      ctx.body = {
        user_id: user.id,
        email: user.email,
        session_id: session.id,
        second_factor: passedSecondFactor(session.strength),
        expires_at: new Date(auth.sessions.endsAt(session)).toISOString(),
      };
    },
  }),
];

/** An email as a header value: header values are bytes of printable ASCII, an address may be any Unicode. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x21-\x24\x26-\x7e]+/gu, (run) => encodeURIComponent(run));
}

/**
 * The URL the client asked the proxy for, from the headers forward auth sends (Traefik and
 * Caddy send them as they are; the nginx recipe sets them). Only echoed, encoded: the
 * sign-in page decides whether it may return there.
 */
function requestedUrl(ctx: Context): string | undefined {
  const uri = ctx.get('x-forwarded-uri');
  const host = ctx.get('x-forwarded-host').split(',')[0]!.trim() || ctx.get('host');
  const proto = ctx.get('x-forwarded-proto').split(',')[0]!.trim().toLowerCase() || ctx.protocol;
  if (!uri.startsWith('/') || !/^https?$/.test(proto) || !/^[a-z0-9.:[\]-]+$/i.test(host)) return undefined;
  return `${proto}://${host}${uri}`;
}
