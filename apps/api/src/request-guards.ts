import type { Context, Middleware, Next } from 'koa';
import { answerFailure, bodyOfBareFailure } from './http-errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The guards every request passes and the mapping of its failures, as one middleware: each
 * layer of Koa's chain is an async call and a promise on every request, and a request
 * without a body (every GET) has nothing to parse. In order:
 * - every answer says `Cache-Control: no-store`: it may carry a session cookie, a reset
 *   token or an account's data, which no browser's or proxy's cache may keep; only a
 *   route's own 200 marked `public` (the published key set) keeps its caching;
 * - a state-changing request sent by a page of another origin is refused (403);
 * - a body that is neither JSON nor a form is refused before parsing (415);
 * - the body is parsed, a body that does not decompress answered 400;
 * - what any of these or the routes throw becomes its status and JSON body
 *   (http-errors.ts), as does a status set without a body.
 */
export function guardRequests(allowedOrigins: readonly string[], parser: Middleware): Middleware {
  const allowed = new Set(allowedOrigins.map((origin) => origin.replace(/\/$/, '').toLowerCase()));
  const parse = decompressionErrorsAreBadRequests(parser);
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      refuseCrossOriginChange(ctx, allowed);
      if (hasBody(ctx)) {
        refuseUnsupportedBody(ctx);
        await parse(ctx, next);
      } else await next();
    } catch (error) {
      ctx.set('Cache-Control', 'no-store');
      answerFailure(ctx, error);
      return;
    }
    if (!isPublicAnswer(ctx)) ctx.set('Cache-Control', 'no-store');
    bodyOfBareFailure(ctx);
  };
}

/**
 * Refuses a state-changing request sent by a page of another origin, with or without a
 * cookie: cross-site request forgery of a logout or a change, and login CSRF (a page that
 * logs its visitor into the attacker's account). The API sends no CORS headers, so no
 * page of another origin is a client unless ALLOWED_ORIGINS names it. Requests without
 * Origin — curl, server-side clients — pass: browsers send Origin on every such request
 * (and Sec-Fetch-Site, which settles the rare one without Origin).
 */
function refuseCrossOriginChange(ctx: Context, allowed: Set<string>): void {
  if (!SAFE_METHODS.has(ctx.req.method!) && !fromAllowedOrigin(ctx, allowed)) ctx.throw(403, 'cross-origin request refused');
}

function fromAllowedOrigin(ctx: Context, allowed: Set<string>): boolean {
  const origin = ctx.get('origin');
  if (!origin) return ctx.get('sec-fetch-site') !== 'cross-site';
  const from = origin.toLowerCase();
  return from === `${ctx.protocol}://${ctx.host}`.toLowerCase() || allowed.has(from);
}

function refuseUnsupportedBody(ctx: Context): void {
  if (!ctx.is('application/json', 'application/x-www-form-urlencoded')) {
    ctx.throw(415, 'send the body as application/x-www-form-urlencoded or application/json');
  }
}

/**
 * The body parser, with a body announced as gzip, deflate or br that does not decompress
 * answered 400: zlib reports the client's mistake as an error without a status (a 500).
 */
export function decompressionErrorsAreBadRequests(parser: Middleware): Middleware {
  return async (ctx: Context, next: Next): Promise<void> => {
    let parsed = false;
    try {
      await parser(ctx, () => {
        parsed = true;
        return next();
      });
    } catch (error) {
      if (!parsed && isZlibError(error)) ctx.throw(400, 'the body is not valid compressed data');
      throw error;
    }
  };
}

function isZlibError(error: unknown): boolean {
  const { status, code, errno } = error as { status?: unknown; code?: unknown; errno?: unknown };
  return status === undefined && (typeof errno === 'number' || (typeof code === 'string' && /^(Z_|ERR_BROTLI|ERR__)/.test(code)));
}

/** A 200 that its route marked public, and that carries no cookie. */
function isPublicAnswer(ctx: Context): boolean {
  const { res } = ctx;
  if (res.statusCode !== 200) return false;
  const cacheControl = res.getHeader('Cache-Control');
  return typeof cacheControl === 'string' && cacheControl.startsWith('public') && !res.hasHeader('Set-Cookie');
}

function hasBody(ctx: Context): boolean {
  const { headers } = ctx.req;
  const length = headers['content-length'];
  return (length !== undefined && length !== '' && length !== '0') || (headers['transfer-encoding'] ?? '') !== '';
}
