import Router from '@koa/router';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { sessionOf } from '../session-required';
import type { RouteDeps } from './context';

/** POST /profile/recovery_codes: a current TOTP code replaces the set of recovery codes. */
export function profileRecoveryCodesRoutes({ auth }: RouteDeps): Router {
  const router = new Router();
  router.post('/profile/recovery_codes', async (ctx) => {
    const code = stringField(ctx, 'code');
    const { user } = await sessionOf(ctx, auth);
    ctx.body = { recovery_codes: await auth.secondFactor.replaceRecoveryCodes(user, code, clientContext(ctx)) };
  });
  return router;
}
