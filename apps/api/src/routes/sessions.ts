import Router from '@koa/router';
import { NotAuthenticatedError } from '@latchkey/domain';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../session-cookie';
import type { RouteDeps } from './context';

export function sessionsRoutes({ auth, cookie }: RouteDeps): Router {
  const router = new Router();

  router.post('/sessions', async (ctx) => {
    const { user, sessionId } = await auth.login(stringField(ctx, 'email'), stringField(ctx, 'password'), clientContext(ctx));
    setSessionCookie(ctx, sessionId, cookie);
    ctx.body = { email: user.email, message: 'logged in' };
  });

  router.delete('/sessions', async (ctx) => {
    const user = await auth.getUserFromSessionId(readSessionCookie(ctx));
    if (!user) throw new NotAuthenticatedError();
    await auth.destroySession(user.id, clientContext(ctx));
    clearSessionCookie(ctx, cookie);
    ctx.redirect('/');
  });

  return router;
}
