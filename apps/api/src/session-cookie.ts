import type { Context } from 'koa';

export const SESSION_COOKIE = 'session_id';

export interface CookieSettings {
  secure: boolean;
  maxAgeSeconds: number;
}

export function readSessionCookie(ctx: Context): string | undefined {
  return ctx.cookies.get(SESSION_COOKIE) || undefined;
}

export function setSessionCookie(ctx: Context, sessionId: string, settings: CookieSettings): void {
  ctx.append('Set-Cookie', serialize(sessionId, settings.maxAgeSeconds, settings.secure));
}

export function clearSessionCookie(ctx: Context, settings: CookieSettings): void {
  ctx.append('Set-Cookie', serialize('', 0, settings.secure) + '; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
}

// Written by hand: Koa's cookie helper refuses Secure cookies on plain-HTTP hops behind a proxy.
function serialize(value: string, maxAgeSeconds: number, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax'];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
