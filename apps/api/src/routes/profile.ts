import { z } from 'zod';
import { passedSecondFactor } from '@latchkey/domain';
import { CLEARED_SESSION_COOKIE, Email, OVERLOADED, RETRY_AFTER, UNAVAILABLE, failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { SESSION_COOKIE, clearCookie } from '../cookies';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

/** GET /profile (the contract's) and DELETE /profile (the account). */
export const profileRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/profile',
    summary: 'The logged-in user',
    operationId: 'profile',
    session: 'required',
    responses: {
      200: json(
        'The user of the session; `email_verified` only when EMAIL_VERIFICATION is not off; `second_factor: true` only when the session was opened with a second factor (otherwise the contract\'s `{"email": E}`).',
        z.object({ email: Email, email_verified: z.boolean().optional(), second_factor: z.literal(true).optional() }),
      ),
      403: failure('No valid session (a pending login is none).'),
      503: UNAVAILABLE,
    },
    handle(ctx, { auth }) {
      const { user, session } = ctx.state.auth;
      // Only a session opened with a second factor says so: the contract's answer is unchanged.
      const strength = passedSecondFactor(session.strength) ? { second_factor: true } : {};
      ctx.body = { email: user.email, ...auth.account.profileFields(user), ...strength };
    },
  }),

  // The account, its sessions and tokens go in one transaction; the audit trail keeps a digest of the email.
  endpoint({
    method: 'delete',
    path: '/profile',
    summary: 'Delete the account',
    operationId: 'deleteAccount',
    session: 'required',
    body: z.object({ password: requiredText }),
    responses: {
      200: json(
        'The user, their sessions and tokens are deleted in one transaction, the cookie cleared; the audit trail keeps the events with the email replaced by `sha256:<hex of the lower-cased email>`. The address may register again.',
        z.object({ email: Email, message: z.literal('Account deleted') }),
        CLEARED_SESSION_COOKIE,
      ),
      400: failure('A missing field or a malformed body.'),
      401: failure('"wrong password" (counted as a failed login of the account).'),
      403: failure('No valid session, or a cross-origin request.'),
      429: failure('Too many failed logins for this account or from this address.', RETRY_AFTER),
      503: OVERLOADED,
    },
    async handle(ctx, { auth, cookie }) {
      const { user } = ctx.state.auth;
      await auth.account.deleteAccount(user, ctx.state.body.password, clientContext(ctx));
      clearCookie(ctx, SESSION_COOKIE, cookie);
      ctx.body = { email: user.email, message: 'Account deleted' };
    },
  }),
];
