import Router from '@koa/router';
import { stringField } from '../request-fields';
import type { RouteDeps } from './context';

export function resetPasswordRoutes({ auth }: RouteDeps): Router {
  const router = new Router();

  router.post('/reset_password', async (ctx) => {
    const { user, token } = await auth.requestPasswordReset(stringField(ctx, 'email'));
    ctx.body = { email: user.email, reset_token: token };
  });

  router.put('/reset_password', async (ctx) => {
    const email = stringField(ctx, 'email');
    const token = stringField(ctx, 'reset_token');
    const user = await auth.updatePassword(token, stringField(ctx, 'new_password'), email);
    ctx.body = { email: user.email, message: 'Password updated' };
  });

  return router;
}
