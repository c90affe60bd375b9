import { z } from 'zod';
import { failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';
import { CODE_CHECK_FAILURES, RecoveryCodes } from './profile-totp';

/** POST /profile/recovery_codes: a current TOTP code replaces the set of recovery codes. */
export const profileRecoveryCodesRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/profile/recovery_codes',
    summary: 'Replace the recovery codes',
    operationId: 'replaceRecoveryCodes',
    session: 'required',
    bodyFirst: true,
    body: z.object({ code: requiredText.meta({ description: 'A current TOTP code.' }) }),
    responses: {
      200: json('A new set of 10; the old set stops working.', RecoveryCodes),
      ...CODE_CHECK_FAILURES,
      409: failure('"no second factor is enabled".'),
    },
    async handle(ctx, { auth }) {
      ctx.body = { recovery_codes: await auth.secondFactor.replaceRecoveryCodes(ctx.state.auth.user, ctx.state.body.code, clientContext(ctx)) };
    },
  }),
];
