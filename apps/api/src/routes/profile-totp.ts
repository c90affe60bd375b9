import Router from '@koa/router';
import QRCode from 'qrcode';
import { clientContext } from '../client-context';
import { stringField } from '../request-fields';
import { sessionOf } from '../session-required';
import type { RouteDeps } from './context';

/** /profile/totp: start an enrolment (POST), confirm it with a code (PUT), remove the factor (DELETE). */
export function profileTotpRoutes({ auth }: RouteDeps): Router {
  const router = new Router();

  router.post('/profile/totp', async (ctx) => {
    const { user } = await sessionOf(ctx, auth);
    const { secret, uri } = await auth.secondFactor.startEnrolment(user);
    ctx.body = { secret, otpauth_uri: uri, qr_svg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
  });

  router.put('/profile/totp', async (ctx) => {
    const code = stringField(ctx, 'code');
    const { user, session } = await sessionOf(ctx, auth);
    ctx.body = { recovery_codes: await auth.secondFactor.enable(user, code, session.id, clientContext(ctx)) };
  });

  router.delete('/profile/totp', async (ctx) => {
    const password = stringField(ctx, 'password');
    const code = stringField(ctx, 'code');
    const { user, session } = await sessionOf(ctx, auth);
    await auth.secondFactor.remove(user, password, code, session.id, clientContext(ctx));
    ctx.body = { message: 'second factor removed' };
  });

  return router;
}
