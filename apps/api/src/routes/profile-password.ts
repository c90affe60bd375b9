import Router from '@koa/router';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { signedIn } from '../signed-in';
import type { RouteDeps } from './context';

/** PUT /profile/password: the signed-in owner's new password; their other sessions end. */
export function profilePasswordRoutes({ auth }: RouteDeps): Router {
  const router = new Router();
  router.put('/profile/password', async (ctx) => {
    const found = await signedIn(ctx, auth);
    const ended = await auth.account.changePassword(found, stringField(ctx, 'current_password'), stringField(ctx, 'new_password'), clientContext(ctx));
    ctx.body = { email: found.user.email, message: 'Password changed', sessions_ended: ended };
  });
  return router;
}
