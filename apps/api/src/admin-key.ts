import type { Context } from 'koa';
import { InvalidApiKeyError } from '@latchkey/domain';
import type { AdminCaller, AuthService } from '@latchkey/domain';
import { clientContext } from './client-context';

/** What an admin route asks of its key: reading, or changing (refused to a read-only key). */
export type AdminAccess = 'read' | 'change';

export interface AdminState {
  admin: AdminCaller;
}

/**
 * The key step of every admin route: the Bearer key of the Authorization header, checked by
 * its digest. No key, a malformed header and a wrong or revoked key all do the same work and
 * answer the same 401 (with WWW-Authenticate); a read-only key asking for a change, 403.
 */
export async function readAdminKey(ctx: Context, auth: AuthService, access: AdminAccess): Promise<void> {
  const bearer = /^Bearer ([\x21-\x7e]+)$/i.exec(ctx.get('authorization'))?.[1];
  try {
    (ctx.state as Partial<AdminState>).admin = await auth.admin.authenticate(bearer, access === 'change', clientContext(ctx));
  } catch (error) {
    if (error instanceof InvalidApiKeyError) ctx.set('WWW-Authenticate', 'Bearer realm="latchkey-admin"');
    throw error;
  }
}
