/** Where a person lands after signing in when no allowed return_to is given (relative: proxy prefixes keep working). */
export const DEFAULT_LANDING = 'account';

// Whitespace, control characters and backslashes: the URL parser drops or rewrites them,
// so a string holding one does not mean what it shows; none is needed in a real address.
const SUSPICIOUS = /[\s\p{Cc}\\]/u;

/**
 * The return_to a page may redirect to: an absolute http(s) URL whose origin is exactly one
 * of the allowed (scheme, host and port), with no user name or password, re-serialised by
 * the URL parser. Anything else — a path, `//host`, `https:host`, `javascript:`, an
 * encoded or look-alike host — is undefined, and the caller lands on /account.
 */
export function allowedReturnTo(value: unknown, allowedOrigins: ReadonlySet<string>): string | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 2048 || SUSPICIOUS.test(value)) return undefined;
  // Only the spelled-out form: `https:host` and `https:/host` parse as https://host.
  if (!/^https?:\/\/[^/]/i.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  return allowedOrigins.has(url.origin) ? url.href : undefined;
}

/** The allowed origins as the URL parser spells them (lower-case host, no default port). */
export function originSet(origins: readonly string[]): ReadonlySet<string> {
  return new Set(origins.map((origin) => new URL(origin).origin));
}
