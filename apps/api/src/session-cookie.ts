import type { Context } from 'koa';

export const SESSION_COOKIE = 'session_id';

export interface CookieSettings {
  secure: boolean;
  maxAgeSeconds: number;
  /** Shares the cookie with this domain's subdomains; the answering host only when unset. */
  domain?: string;
  /** Lax unless told. */
  sameSite?: 'lax' | 'strict' | 'none';
}

const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

export function readSessionCookie(ctx: Context): string | undefined {
  return ctx.cookies.get(SESSION_COOKIE) || undefined;
}

export function setSessionCookie(ctx: Context, sessionId: string, settings: CookieSettings): void {
  ctx.append('Set-Cookie', serialize(sessionId, settings.maxAgeSeconds, settings));
}

export function clearSessionCookie(ctx: Context, settings: CookieSettings): void {
  ctx.append('Set-Cookie', serialize('', 0, settings) + '; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
}

// Written by hand: Koa's cookie helper refuses Secure cookies on plain-HTTP hops behind a proxy.
// A clearing cookie names the same Domain, or the browser keeps the one it holds.
function serialize(value: string, maxAgeSeconds: number, { secure, domain, sameSite = 'lax' }: CookieSettings): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', `SameSite=${SAME_SITE[sameSite]}`];
  if (domain) parts.push(`Domain=${domain}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
