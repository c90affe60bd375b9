import Router from '@koa/router';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { signedIn } from '../signed-in';
import type { RouteDeps } from './context';

export const EMAIL_CHANGE_SENT = 'A confirmation link was sent to the new address';

/** PUT /profile/email (ask; a link goes to the new address) and POST /profile/email/confirm (use the link). */
export function profileEmailRoutes({ auth }: RouteDeps): Router {
  const router = new Router();

  router.put('/profile/email', async (ctx) => {
    const { user } = await signedIn(ctx, auth);
    const address = await auth.account.requestEmailChange(user, stringField(ctx, 'password'), stringField(ctx, 'new_email'), clientContext(ctx));
    ctx.body = { email: user.email, new_email: address, message: EMAIL_CHANGE_SENT };
  });

  // No session needed: the link may be opened on another device than the one that asked.
  router.post('/profile/email/confirm', async (ctx) => {
    const change = await auth.account.confirmEmailChange(stringField(ctx, 'token'), clientContext(ctx));
    ctx.body = { email: change.email, message: 'Email changed' };
  });

  return router;
}
