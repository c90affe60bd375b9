import type { Context } from 'koa';
import { NotAuthenticatedError } from '@latchkey/domain';
import type { AuthService, AuthenticatedSession } from '@latchkey/domain';
import { SESSION_COOKIE, readCookie } from './cookies';

/**
 * What a route needs of the session cookie, as its declaration says:
 * - 'required': the live session with its user; 403 (NotAuthenticatedError) without one;
 * - 'optional': the same when a cookie is sent (one that opens nothing is refused alike), null without a cookie;
 * - 'secret': the cookie's secret itself, unchecked, for a route that hands it to the domain
 *   (a logout ends exactly that session, in the one lookup the domain makes);
 * - 'probe': the live session with its user, or null whatever the cookie (none, or one that
 *   opens nothing), for a route that answers the missing session itself (forward auth and
 *   tokens answer 401, which proxies and other services understand).
 */
export type SessionNeed = 'required' | 'optional' | 'secret' | 'probe';

/** What the session step leaves in ctx.state; a route that declares no need gets nothing to read. */
export type SessionState<N extends SessionNeed | undefined> = N extends 'required'
  ? { auth: AuthenticatedSession }
  : N extends 'optional' | 'probe'
    ? { auth: AuthenticatedSession | null }
    : N extends 'secret'
      ? { sessionSecret: string | undefined }
      : object;

interface AnySessionState {
  auth?: AuthenticatedSession | null;
  sessionSecret?: string;
}

/**
 * The session step of every route that declares a need: the one place that reads the
 * session cookie, once a request, and looks its session up at most once. Routes that
 * declare none (a sign-up, /healthz) never reach the database for it.
 */
export async function readSession(ctx: Context, auth: AuthService, need: SessionNeed): Promise<void> {
  const state = ctx.state as AnySessionState;
  const secret = readCookie(ctx, SESSION_COOKIE);
  if (need === 'secret') {
    state.sessionSecret = secret;
    return;
  }
  if (need === 'optional' && secret === undefined) {
    state.auth = null;
    return;
  }
  const found = await auth.sessions.authenticate(secret);
  if (!found && need !== 'probe') throw new NotAuthenticatedError();
  state.auth = found;
}
