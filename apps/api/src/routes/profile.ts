import Router from '@koa/router';
import { NotAuthenticatedError } from '@latchkey/domain';
import { readSessionCookie } from '../session-cookie';
import type { RouteDeps } from './context';

export function profileRoutes({ auth }: RouteDeps): Router {
  const router = new Router();
  router.get('/profile', async (ctx) => {
    const user = await auth.getUserFromSessionId(readSessionCookie(ctx));
    if (!user) throw new NotAuthenticatedError();
    ctx.body = { email: user.email };
  });
  return router;
}
