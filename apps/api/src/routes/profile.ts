import Router from '@koa/router';
import { NotAuthenticatedError } from '@latchkey/domain';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { clearSessionCookie, readSessionCookie } from '../session-cookie';
import { signedIn } from '../signed-in';
import type { RouteDeps } from './context';

export function profileRoutes({ auth, cookie }: RouteDeps): Router {
  const router = new Router();
  router.get('/profile', async (ctx) => {
    const found = await auth.sessions.authenticate(readSessionCookie(ctx));
    if (!found) throw new NotAuthenticatedError();
    const { user, session } = found;
    // Only a session opened with a second factor says so: the contract's answer is unchanged.
    const strength = session.strength === 'second_factor' ? { second_factor: true } : {};
    ctx.body = { email: user.email, ...auth.account.profileFields(user), ...strength };
  });

  // The account, its sessions and tokens go in one transaction; the audit trail keeps a digest of the email.
  router.delete('/profile', async (ctx) => {
    const { user } = await signedIn(ctx, auth);
    await auth.account.deleteAccount(user, stringField(ctx, 'password'), clientContext(ctx));
    clearSessionCookie(ctx, cookie);
    ctx.body = { email: user.email, message: 'Account deleted' };
  });
  return router;
}
