import Router from '@koa/router';
import { NoPendingLoginError } from '@latchkey/domain';
import { clientContext } from '../client-context';
import { clearPendingLoginCookie, readPendingLoginCookie } from '../pending-login-cookie';
import { stringField } from '../request-fields';
import { setSessionCookie } from '../session-cookie';
import type { RouteDeps } from './context';

/** POST /sessions/second_factor: a TOTP or recovery code completes the pending login of the cookie. */
export function sessionsSecondFactorRoutes({ auth, cookie }: RouteDeps): Router {
  const router = new Router();
  router.post('/sessions/second_factor', async (ctx) => {
    const code = stringField(ctx, 'code');
    const token = readPendingLoginCookie(ctx);
    try {
      if (!token) throw new NoPendingLoginError();
      const { user, sessionId } = await auth.logins.completeWithSecondFactor(token, code, clientContext(ctx));
      clearPendingLoginCookie(ctx, cookie);
      setSessionCookie(ctx, sessionId, cookie);
      ctx.body = { email: user.email, message: 'logged in' };
    } catch (error) {
      // A pending login that is gone stays gone: the browser forgets its cookie too.
      if (error instanceof NoPendingLoginError) clearPendingLoginCookie(ctx, cookie);
      throw error;
    }
  });
  return router;
}
