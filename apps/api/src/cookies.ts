import type { Context } from 'koa';

export interface CookieSettings {
  secure: boolean;
  maxAgeSeconds: number;
  /** Shares the cookie with this domain's subdomains; the answering host only when unset. */
  domain?: string;
  /** Lax unless told. */
  sameSite?: 'lax' | 'strict' | 'none';
}

/** A cookie Latchkey sets: its name, and what the API document says of it. */
export interface NamedCookie {
  readonly name: string;
  readonly description: string;
}

export const SESSION_COOKIE: NamedCookie = { name: 'session_id', description: 'The session id set by POST /sessions.' };

/**
 * The cookie of a login waiting for its second factor. It is not `session_id`: nothing
 * but POST /sessions/second_factor reads it, so it opens nothing else.
 */
export const PENDING_LOGIN_COOKIE: NamedCookie = {
  name: 'second_factor_pending',
  description: 'The pending login set by POST /sessions when a second factor is required.',
};

/**
 * The passkey sign-in ceremony of this browser (POST /sessions/passkey/options): its
 * challenge waits under the digest of this value, and only the request that carries it can
 * use that challenge, once.
 */
export const PASSKEY_CEREMONY_COOKIE: NamedCookie = {
  name: 'passkey_ceremony',
  description: 'The passkey sign-in ceremony set by POST /sessions/passkey/options (PASSKEY_CHALLENGE_TTL_SECONDS).',
};

/** The hosted pages' language, chosen with `?lang=` (a year). */
export const LANGUAGE_COOKIE: NamedCookie = { name: 'lang', description: 'The language the hosted pages were switched to.' };

/**
 * The secret of the browser that the pages' forms before a session prove they came from
 * (a double-submit cookie): a page of another site can neither read it nor, under the
 * `__Host-` prefix that Secure cookies get, set it from a sibling subdomain.
 */
export function browserFormCookie(secure: boolean): NamedCookie {
  return { name: secure ? '__Host-latchkey_form' : 'latchkey_form', description: 'The browser secret behind the hosted pages\' form tokens.' };
}

const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

// Each cookie's pattern, as the `cookies` package (Koa's ctx.cookies) reads a name: the first
// `name=` at the start of the header or after a `;`, up to the next `;`.
const PATTERNS = new Map<string, RegExp>();

function patternOf(name: string): RegExp {
  let pattern = PATTERNS.get(name);
  if (!pattern) PATTERNS.set(name, (pattern = new RegExp(`(?:^|;) *${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}=([^;]*)`)));
  return pattern;
}

/**
 * The cookie's value; an empty one counts as none. Read as ctx.cookies.get reads an unsigned
 * cookie (surrounding double quotes dropped, nothing decoded), without the Cookies object
 * Koa builds for each request that asks.
 */
export function readCookie(ctx: Context, cookie: NamedCookie): string | undefined {
  const header = ctx.req.headers.cookie;
  if (!header) return undefined;
  let value = patternOf(cookie.name).exec(header)?.[1];
  if (value?.[0] === '"') value = value.slice(1, -1);
  return value || undefined;
}

/** Sets the cookie for maxAgeSeconds, the session's lifetime unless told. */
export function setCookie(ctx: Context, cookie: NamedCookie, value: string, settings: CookieSettings, maxAgeSeconds = settings.maxAgeSeconds): void {
  ctx.append('Set-Cookie', serialize(cookie, value, maxAgeSeconds, settings));
}

export function clearCookie(ctx: Context, cookie: NamedCookie, settings: CookieSettings): void {
  ctx.append('Set-Cookie', serialize(cookie, '', 0, settings) + '; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
}

// Written by hand: Koa's cookie helper refuses Secure cookies on plain-HTTP hops behind a proxy.
// A clearing cookie names the same Domain, or the browser keeps the one it holds.
function serialize(cookie: NamedCookie, value: string, maxAgeSeconds: number, { secure, domain, sameSite = 'lax' }: CookieSettings): string {
  const parts = [`${cookie.name}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', `SameSite=${SAME_SITE[sameSite]}`];
  if (domain) parts.push(`Domain=${domain}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
