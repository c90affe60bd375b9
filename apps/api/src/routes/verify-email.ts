import { z } from 'zod';
import { Email, RETRY_AFTER, UNAVAILABLE, failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { endpoint, validBody } from '../endpoint';
import type { Endpoint } from '../endpoint';

export const VERIFICATION_SENT = 'If the address awaits verification, a new link has been sent';

const ByEmail = z.object({ email: requiredText });

/** POST /verify_email (a link's token) and POST /verify_email/resend (signed in, or by email). */
export const verifyEmailRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/verify_email',
    summary: 'Verify the email with the emailed link',
    operationId: 'verifyEmail',
    body: z.object({ token: requiredText }),
    responses: {
      200: json(
        'The address is verified (only while the account still has the address the link was sent to).',
        z.object({ email: Email, message: z.literal('email verified') }),
      ),
      400: failure('"invalid or expired link", a missing field or a malformed body.'),
      403: failure('A cross-origin request.'),
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      const user = await auth.account.verifyEmail(ctx.state.body.token, clientContext(ctx));
      ctx.body = { email: user.email, message: 'email verified' };
    },
  }),

  // Signed in, the link goes to the session's address; otherwise to the account of `email`
  // (one that may not log in before verifying), with the same answer for every address.
  endpoint({
    method: 'post',
    path: '/verify_email/resend',
    summary: 'Send a new verification link',
    operationId: 'resendVerification',
    session: 'optional',
    // Signed in, the body is not read: an email that is not one is as good as none.
    body: z.object({ email: requiredText.optional().catch(undefined) }),
    bodyOptional: true,
    responses: {
      200: json(
        "Signed in: to the session's address. Otherwise to the account of `email`, the same answer for every address (a link goes only to an unverified account).",
        z.object({ message: z.literal(VERIFICATION_SENT) }),
      ),
      400: failure('EMAIL_VERIFICATION is off, no cookie and no email, an email that is not an address, or a malformed body.'),
      403: failure('An invalid session cookie, or a cross-origin request.'),
      429: failure('Too many resends for this address (VERIFICATION_RESENDS_PER_EMAIL) or from this client (VERIFICATION_RESENDS_PER_IP).', RETRY_AFTER),
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      const signedIn = ctx.state.auth;
      const who = signedIn ? { user: signedIn.user } : validBody(ByEmail, ctx.state.body);
      await auth.account.resendVerification(who, clientContext(ctx));
      ctx.body = { message: VERIFICATION_SENT };
    },
  }),
];
