import Router from '@koa/router';
import type { Context } from 'koa';
import { NotAuthenticatedError, UnknownSessionError, summarizeSession } from '@latchkey/domain';
import type { AuthService, AuthenticatedSession, Session } from '@latchkey/domain';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../session-cookie';
import type { RouteDeps } from './context';

/** POST and DELETE /sessions (the contract), and the caller's own sessions: /sessions/others, /sessions/{id}. */
export function sessionsRoutes({ auth, cookie }: RouteDeps): Router {
  const router = new Router();

  router.post('/sessions', async (ctx) => {
    const { user, sessionId } = await auth.login(stringField(ctx, 'email'), stringField(ctx, 'password'), clientContext(ctx));
    setSessionCookie(ctx, sessionId, cookie);
    ctx.body = { email: user.email, message: 'logged in' };
  });

  router.get('/sessions', async (ctx) => {
    const { user, session: current } = await requireSession(ctx, auth);
    const sessions = await auth.listSessions(user.id);
    ctx.body = { sessions: sessions.map((session) => sessionView(auth, session, current.id)) };
  });

  router.delete('/sessions', async (ctx) => {
    if (!(await auth.logout(readSessionCookie(ctx), clientContext(ctx)))) throw new NotAuthenticatedError();
    clearSessionCookie(ctx, cookie);
    ctx.redirect('/');
  });

  // Before /sessions/:id, which would take "others" for an id.
  router.delete('/sessions/others', async (ctx) => {
    const { user, session } = await requireSession(ctx, auth);
    ctx.body = { revoked: await auth.revokeOtherSessions(user.id, session.id, clientContext(ctx)) };
  });

  router.delete('/sessions/:id', async (ctx) => {
    const { user, session } = await requireSession(ctx, auth);
    const id = ctx.params.id ?? '';
    if (!(await auth.revokeSession(user.id, id, clientContext(ctx)))) throw new UnknownSessionError();
    if (id === session.id) clearSessionCookie(ctx, cookie);
    ctx.status = 204;
  });

  return router;
}

async function requireSession(ctx: Context, auth: AuthService): Promise<AuthenticatedSession> {
  const found = await auth.authenticateSession(readSessionCookie(ctx));
  if (!found) throw new NotAuthenticatedError();
  return found;
}

function sessionView(auth: AuthService, session: Session, currentId: string) {
  return { ...summarizeSession(session, auth.sessionEndsAt(session)), current: session.id === currentId };
}
