import type { Context } from 'koa';
import type { CookieSettings } from './session-cookie';

/**
 * The cookie of a login waiting for its second factor. It is not `session_id`: nothing
 * but POST /sessions/second_factor reads it, so it opens nothing else.
 */
export const PENDING_LOGIN_COOKIE = 'second_factor_pending';

const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

export function readPendingLoginCookie(ctx: Context): string | undefined {
  return ctx.cookies.get(PENDING_LOGIN_COOKIE) || undefined;
}

export function setPendingLoginCookie(ctx: Context, token: string, maxAgeSeconds: number, settings: CookieSettings): void {
  ctx.append('Set-Cookie', serialize(token, maxAgeSeconds, settings));
}

export function clearPendingLoginCookie(ctx: Context, settings: CookieSettings): void {
  ctx.append('Set-Cookie', serialize('', 0, settings) + '; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
}

function serialize(value: string, maxAgeSeconds: number, { secure, domain, sameSite = 'lax' }: CookieSettings): string {
  const parts = [`${PENDING_LOGIN_COOKIE}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', `SameSite=${SAME_SITE[sameSite]}`];
  if (domain) parts.push(`Domain=${domain}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
