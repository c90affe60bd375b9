import { z } from 'zod';
import { Email, OVERLOADED, RETRY_AFTER, UNAVAILABLE, failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

export const EMAIL_CHANGE_SENT = 'A confirmation link was sent to the new address';

/** PUT /profile/email (ask; a link goes to the new address) and POST /profile/email/confirm (use the link). */
export const profileEmailRoutes: Endpoint[] = [
  endpoint({
    method: 'put',
    path: '/profile/email',
    summary: 'Ask to change the email',
    operationId: 'requestEmailChange',
    session: 'required',
    body: z.object({ password: requiredText, new_email: requiredText }),
    responses: {
      200: json(
        'A link valid VERIFICATION_TOKEN_TTL_SECONDS is emailed to the new address, a notice to the current one; nothing changes until the link is used.',
        z.object({ email: Email, new_email: Email, message: z.literal(EMAIL_CHANGE_SENT) }),
      ),
      400: failure('A missing field, a new email that is not an address or is the current one, or a malformed body.'),
      401: failure('"wrong password" (counted as a failed login of the account).'),
      403: failure('No valid session, or a cross-origin request.'),
      429: failure('Too many failed logins for this account or from this address.', RETRY_AFTER),
      501: failure('"email is not configured": no SMTP_URL and no feature that sends email.'),
      503: OVERLOADED,
    },
    async handle(ctx, { auth }) {
      const { user } = ctx.state.auth;
      const { password, new_email } = ctx.state.body;
      const address = await auth.account.requestEmailChange(user, password, new_email, clientContext(ctx));
      ctx.body = { email: user.email, new_email: address, message: EMAIL_CHANGE_SENT };
    },
  }),

  // No session needed: the link may be opened on another device than the one that asked.
  endpoint({
    method: 'post',
    path: '/profile/email/confirm',
    summary: 'Use a change-of-email link',
    operationId: 'confirmEmailChange',
    body: z.object({ token: requiredText }),
    responses: {
      200: json(
        'The account now has the new address, verified; every email link of the user is used up; the old address is told.',
        z.object({ email: Email, message: z.literal('Email changed') }),
      ),
      400: failure(
        '"invalid or expired link", "email already registered" (another account took the address meanwhile; the link stays usable), a missing field or a malformed body.',
      ),
      403: failure('A cross-origin request.'),
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      const change = await auth.account.confirmEmailChange(ctx.state.body.token, clientContext(ctx));
      ctx.body = { email: change.email, message: 'Email changed' };
    },
  }),
];
