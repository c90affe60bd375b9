import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { CookieSettings } from '../cookies';
import { SESSION_COOKIE, browserFormCookie, readCookie, setCookie } from '../cookies';

/** The hidden field every form of the pages posts its token in. */
export const FORM_TOKEN_FIELD = 'csrf';

/**
 * Which secret a form's token is bound to:
 * - 'session': the session cookie's — per session, so a token read from one page is worth
 *   nothing once the session ends, and nothing to another browser;
 * - 'browser': the browser's form cookie — for the forms that come before a session
 *   (sign-in, sign-up, recovery), a double-submit cookie.
 */
export type FormBinding = 'session' | 'browser';

// Keyed by the cookie's secret: no server key to share between workers and instances, and
// the token tells nothing of the secret (HMAC-SHA256 is one-way).
function tokenOf(secret: string, binding: FormBinding): string {
  return createHmac('sha256', secret).update(`latchkey pages form (${binding})`).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The browser's form secret, set now when it has none (a first visit). */
function browserSecret(ctx: Context, cookie: CookieSettings): string {
  const named = browserFormCookie(cookie.secure);
  const kept = readCookie(ctx, named);
  if (kept && /^[A-Za-z0-9_-]{43}$/.test(kept)) return kept;
  const fresh = randomBytes(32).toString('base64url');
  // Never shared with subdomains: a __Host- cookie may not name a Domain.
  setCookie(ctx, named, fresh, { ...cookie, domain: undefined });
  return fresh;
}

/** The token the forms of this page carry. */
export function formToken(ctx: Context, binding: FormBinding, cookie: CookieSettings): string {
  const secret = binding === 'session' ? readCookie(ctx, SESSION_COOKIE) : browserSecret(ctx, cookie);
  return secret ? tokenOf(secret, binding) : '';
}

/** Whether the posted token is the one this browser's secret gives. */
export function validFormToken(ctx: Context, binding: FormBinding, posted: string, cookie: CookieSettings): boolean {
  const secret = readCookie(ctx, binding === 'session' ? SESSION_COOKIE : browserFormCookie(cookie.secure));
  return secret !== undefined && posted !== '' && sameText(tokenOf(secret, binding), posted);
}
