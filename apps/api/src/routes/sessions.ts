import Router from '@koa/router';
import type { Context } from 'koa';
import { NotAuthenticatedError, SecondFactorRequiredError, UnknownSessionError, summarizeSession } from '@latchkey/domain';
import type { AuthService, AuthenticatedSession, LoginResult, Session } from '@latchkey/domain';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { setPendingLoginCookie } from '../pending-login-cookie';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../session-cookie';
import type { CookieSettings } from '../session-cookie';
import type { RouteDeps } from './context';

/** POST and DELETE /sessions (the contract), and the caller's own sessions: /sessions/others, /sessions/{id}. */
export function sessionsRoutes({ auth, cookie }: RouteDeps): Router {
  const router = new Router();

  router.post('/sessions', async (ctx) => {
    let result: LoginResult;
    try {
      result = await auth.logins.login(stringField(ctx, 'email'), stringField(ctx, 'password'), clientContext(ctx));
    } catch (error) {
      if (!(error instanceof SecondFactorRequiredError)) throw error;
      answerSecondFactorRequired(ctx, error, cookie);
      return;
    }
    const { user, sessionId } = result;
    setSessionCookie(ctx, sessionId, cookie);
    ctx.body = { email: user.email, message: 'logged in' };
  });

  router.get('/sessions', async (ctx) => {
    const { user, session: current } = await requireSession(ctx, auth);
    const sessions = await auth.sessions.list(user.id);
    ctx.body = { sessions: sessions.map((session) => sessionView(auth, session, current.id)) };
  });

  router.delete('/sessions', async (ctx) => {
    if (!(await auth.sessions.logout(readSessionCookie(ctx), clientContext(ctx)))) throw new NotAuthenticatedError();
    clearSessionCookie(ctx, cookie);
    ctx.redirect('/');
  });

  // Before /sessions/:id, which would take "others" for an id.
  router.delete('/sessions/others', async (ctx) => {
    const { user, session } = await requireSession(ctx, auth);
    ctx.body = { revoked: await auth.sessions.revokeOthers(user.id, session.id, clientContext(ctx)) };
  });

  router.delete('/sessions/:id', async (ctx) => {
    const { user, session } = await requireSession(ctx, auth);
    const id = ctx.params.id ?? '';
    if (!(await auth.sessions.revoke(user.id, id, clientContext(ctx)))) throw new UnknownSessionError();
    if (id === session.id) clearSessionCookie(ctx, cookie);
    ctx.status = 204;
  });

  return router;
}

/**
 * A right password of a user with a second factor: 401 "second factor required" and the
 * pending login's cookie, for POST /sessions/second_factor. Any other error goes on.
 */
function answerSecondFactorRequired(ctx: Context, required: SecondFactorRequiredError, cookie: CookieSettings): void {
  setPendingLoginCookie(ctx, required.pendingToken, required.expiresInSeconds, cookie);
  ctx.status = 401;
  ctx.body = { message: 'second factor required', second_factor_required: true };
}

async function requireSession(ctx: Context, auth: AuthService): Promise<AuthenticatedSession> {
  const found = await auth.sessions.authenticate(readSessionCookie(ctx));
  if (!found) throw new NotAuthenticatedError();
  return found;
}

function sessionView(auth: AuthService, session: Session, currentId: string) {
  return { ...summarizeSession(session, auth.sessions.endsAt(session)), current: session.id === currentId };
}
