import QRCode from 'qrcode';
import { z } from 'zod';
import { DATABASE_DOWN, RETRY_AFTER, failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

export const RecoveryCodes = z.object({
  recovery_codes: z
    .array(z.string().regex(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/))
    .length(10)
    .meta({ description: 'Each works once.' }),
});

/** What every code check of a signed-in user may answer. */
export const CODE_CHECK_FAILURES = {
  400: failure('A missing field or a malformed body.'),
  401: failure('"invalid code": wrong, already used or malformed.'),
  403: failure('No valid session, or a cross-origin request.'),
  429: failure('Too many wrong codes for the account (SECOND_FACTOR_FAILURES_PER_ACCOUNT per LOGIN_FAILURE_WINDOW_SECONDS).', RETRY_AFTER),
  503: failure(`No encryption key, the wrong-code counters (REDIS_URL) did not answer, or ${DATABASE_DOWN}.`, RETRY_AFTER),
};

/** /profile/totp: start an enrolment (POST), confirm it with a code (PUT), remove the factor (DELETE). */
export const profileTotpRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/profile/totp',
    summary: 'Start a TOTP enrolment',
    operationId: 'startTotpEnrolment',
    session: 'required',
    responses: {
      200: json(
        'A new secret (RFC 6238: SHA-1, 6 digits, 30 s), waiting for its first code; a new POST replaces a waiting one.',
        z.object({
          secret: z.string().meta({ description: 'Base32.' }),
          otpauth_uri: z.string().meta({ description: 'otpauth://totp/… for authenticator apps.' }),
          qr_svg: z.string().meta({ description: 'The URI as a QR code, SVG.' }),
        }),
      ),
      403: failure('No valid session, or a cross-origin request.'),
      409: failure('"a second factor is enabled already".'),
      503: failure(`No encryption key: "Second factors are unavailable: ENCRYPTION_KEYS is not set" (production), or ${DATABASE_DOWN}.`, RETRY_AFTER),
    },
    async handle(ctx, { auth }) {
      const { secret, uri } = await auth.secondFactor.startEnrolment(ctx.state.auth.user);
      ctx.body = { secret, otpauth_uri: uri, qr_svg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
    },
  }),

  endpoint({
    method: 'put',
    path: '/profile/totp',
    summary: 'Enable the enrolment with a current code',
    operationId: 'enableTotp',
    session: 'required',
    bodyFirst: true,
    body: z.object({ code: requiredText }),
    responses: {
      200: json('Enabled: every other session of the user is ended. The 10 recovery codes, shown this once.', RecoveryCodes),
      ...CODE_CHECK_FAILURES,
      409: failure('"no enrolment is waiting for a code".'),
    },
    async handle(ctx, { auth }) {
      const { user, session } = ctx.state.auth;
      ctx.body = { recovery_codes: await auth.secondFactor.enable(user, ctx.state.body.code, session.id, clientContext(ctx)) };
    },
  }),

  endpoint({
    method: 'delete',
    path: '/profile/totp',
    summary: 'Remove the second factor',
    operationId: 'removeTotp',
    session: 'required',
    bodyFirst: true,
    body: z.object({ password: requiredText, code: requiredText.meta({ description: 'A current TOTP code or a recovery code.' }) }),
    responses: {
      200: json('Removed, with its recovery codes; every other session of the user is ended.', z.object({ message: z.literal('second factor removed') })),
      ...CODE_CHECK_FAILURES,
      401: failure('"invalid password or code".'),
      409: failure('"no second factor is enabled".'),
    },
    async handle(ctx, { auth }) {
      const { user, session } = ctx.state.auth;
      const { password, code } = ctx.state.body;
      await auth.secondFactor.remove(user, password, code, session.id, clientContext(ctx));
      ctx.body = { message: 'second factor removed' };
    },
  }),
];
