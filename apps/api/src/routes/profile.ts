import Router from '@koa/router';
import { NotAuthenticatedError } from '@latchkey/domain';
import { readSessionCookie } from '../session-cookie';
import type { RouteDeps } from './context';

export function profileRoutes({ auth }: RouteDeps): Router {
  const router = new Router();
  router.get('/profile', async (ctx) => {
    const found = await auth.authenticateSession(readSessionCookie(ctx));
    if (!found) throw new NotAuthenticatedError();
    // Only a session opened with a second factor says so: the contract's answer is unchanged.
    ctx.body = found.session.strength === 'second_factor' ? { email: found.user.email, second_factor: true } : { email: found.user.email };
  });
  return router;
}
