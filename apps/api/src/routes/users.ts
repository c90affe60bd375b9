import Router from '@koa/router';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import type { RouteDeps } from './context';

export function usersRoutes({ auth }: RouteDeps): Router {
  const router = new Router();
  router.post('/users', async (ctx) => {
    // With EMAIL_VERIFICATION=required a registered address gets this same answer (its owner an email).
    const email = await auth.account.signUp(stringField(ctx, 'email'), stringField(ctx, 'password'), clientContext(ctx));
    ctx.body = { email, message: 'user created' };
  });
  return router;
}
