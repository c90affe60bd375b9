import type { Context } from 'koa';
import type { ClientContext } from '@latchkey/domain';

/** ctx.ip honours X-Forwarded-For only when the app trusts its proxy (TRUST_PROXY). */
export function clientContext(ctx: Context): ClientContext {
  return { ip: ctx.ip || undefined, userAgent: ctx.get('user-agent') || undefined };
}
