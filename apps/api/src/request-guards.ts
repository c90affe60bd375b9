import type { Context, Next } from 'koa';
import { SESSION_COOKIE } from './session-cookie';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a cookie-carrying state-changing request sent by a page of another origin
 * (cross-site request forgery). Requests without Origin — curl, server-side clients —
 * pass: browsers always send Origin on such requests.
 */
export function sameOriginForCookies(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins.map((origin) => origin.replace(/\/$/, '').toLowerCase()));
  return async (ctx: Context, next: Next): Promise<void> => {
    const origin = ctx.get('origin');
    if (origin && !SAFE_METHODS.has(ctx.method) && ctx.cookies.get(SESSION_COOKIE)) {
      const own = `${ctx.protocol}://${ctx.host}`.toLowerCase();
      const from = origin.toLowerCase();
      if (from !== own && !allowed.has(from)) ctx.throw(403, 'cross-origin request refused');
    }
    await next();
  };
}

/** A body that is neither JSON nor a form is refused before parsing: 415. */
export async function requireSupportedBody(ctx: Context, next: Next): Promise<void> {
  if (hasBody(ctx) && !ctx.is('application/json', 'application/x-www-form-urlencoded')) {
    ctx.throw(415, 'send the body as application/x-www-form-urlencoded or application/json');
  }
  await next();
}

function hasBody(ctx: Context): boolean {
  const length = ctx.get('content-length');
  return (length !== '' && length !== '0') || ctx.get('transfer-encoding') !== '';
}
