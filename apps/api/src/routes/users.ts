import Router from '@koa/router';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import type { RouteDeps } from './context';

export function usersRoutes({ auth }: RouteDeps): Router {
  const router = new Router();
  router.post('/users', async (ctx) => {
    const user = await auth.registerUser(stringField(ctx, 'email'), stringField(ctx, 'password'), clientContext(ctx));
    ctx.body = { email: user.email, message: 'user created' };
  });
  return router;
}
