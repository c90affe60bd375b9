import type { Context } from 'koa';
import { NotAuthenticatedError } from '@latchkey/domain';
import type { AuthService, AuthenticatedSession } from '@latchkey/domain';
import { readSessionCookie } from './session-cookie';

/** The caller's live session and user; 403 (NotAuthenticatedError) without one. */
export async function signedIn(ctx: Context, auth: AuthService): Promise<AuthenticatedSession> {
  const found = await auth.sessions.authenticate(readSessionCookie(ctx));
  if (!found) throw new NotAuthenticatedError();
  return found;
}
