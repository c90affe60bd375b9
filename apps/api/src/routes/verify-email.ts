import Router from '@koa/router';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { readSessionCookie } from '../session-cookie';
import { signedIn } from '../signed-in';
import type { RouteDeps } from './context';

export const VERIFICATION_SENT = 'If the address awaits verification, a new link has been sent';

/** POST /verify_email (a link's token) and POST /verify_email/resend (signed in, or by email). */
export function verifyEmailRoutes({ auth }: RouteDeps): Router {
  const router = new Router();

  router.post('/verify_email', async (ctx) => {
    const user = await auth.account.verifyEmail(stringField(ctx, 'token'), clientContext(ctx));
    ctx.body = { email: user.email, message: 'email verified' };
  });

  // Signed in, the link goes to the session's address; otherwise to the account of `email`
  // (one that may not log in before verifying), with the same answer for every address.
  router.post('/verify_email/resend', async (ctx) => {
    const client = clientContext(ctx);
    const who = readSessionCookie(ctx) === undefined ? { email: stringField(ctx, 'email') } : { user: (await signedIn(ctx, auth)).user };
    await auth.account.resendVerification(who, client);
    ctx.body = { message: VERIFICATION_SENT };
  });

  return router;
}
