import type { Context } from 'koa';
import type { ClientContext } from '@latchkey/domain';

/** Longest client address kept: an IPv6 address with a zone fits; what is longer is not an address. */
export const CLIENT_ADDRESS_MAX = 64;

/**
 * ctx.ip honours X-Forwarded-For only when the app trusts its proxy (TRUST_PROXY), and then
 * only the entries its proxies appended (PROXY_HOPS). It is bounded here, before the
 * throttle or the audit trail writes it.
 */
export function clientContext(ctx: Context): ClientContext {
  return { ip: ctx.ip.slice(0, CLIENT_ADDRESS_MAX) || undefined, userAgent: ctx.get('user-agent') || undefined };
}
