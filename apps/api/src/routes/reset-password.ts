import Router from '@koa/router';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import type { RouteDeps } from './context';

export const RESET_EMAIL_SENT = 'If the address is registered, a reset email has been sent';

export function resetPasswordRoutes({ auth, resetEmails }: RouteDeps): Router {
  const router = new Router();

  router.post('/reset_password', async (ctx) => {
    const email = stringField(ctx, 'email');
    if (resetEmails) {
      // The same answer, in the same time, for every address: the lookup and the email
      // happen after the response, so neither its body nor its timing tells who is registered.
      await resetEmails.request(email, clientContext(ctx));
      ctx.body = { message: RESET_EMAIL_SENT };
      return;
    }
    const { user, token } = await auth.passwords.request(email, clientContext(ctx));
    ctx.body = { email: user.email, reset_token: token };
  });

  router.put('/reset_password', async (ctx) => {
    const email = stringField(ctx, 'email');
    const token = stringField(ctx, 'reset_token');
    const user = await auth.updatePassword(token, stringField(ctx, 'new_password'), email, clientContext(ctx));
    ctx.body = { email: user.email, message: 'Password updated' };
  });

  return router;
}
