import type { Context } from 'koa';
import { NotAuthenticatedError } from '@latchkey/domain';
import type { AuthService, AuthenticatedSession } from '@latchkey/domain';
import { readSessionCookie } from './session-cookie';

/** The session of the request's cookie with its user; 403 when there is none. */
export async function sessionOf(ctx: Context, auth: AuthService): Promise<AuthenticatedSession> {
  const found = await auth.sessions.authenticate(readSessionCookie(ctx));
  if (!found) throw new NotAuthenticatedError();
  return found;
}
