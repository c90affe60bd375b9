import { z } from 'zod';
import { Email, OVERLOADED, RETRY_AFTER, failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

/** PUT /profile/password: the signed-in owner's new password; their other sessions end. */
export const profilePasswordRoutes: Endpoint[] = [
  endpoint({
    method: 'put',
    path: '/profile/password',
    summary: 'Change the password while signed in',
    operationId: 'changePassword',
    session: 'required',
    body: z.object({ current_password: requiredText, new_password: requiredText }),
    responses: {
      200: json(
        'The password is changed and every other session of the user ended, in one transaction; this session stays.',
        z.object({ email: Email, message: z.literal('Password changed'), sessions_ended: z.int().min(0) }),
      ),
      400: failure('A missing field, a new password the policy refuses or a malformed body.'),
      401: failure('"wrong password": the current password is wrong (counted as a failed login) or was changed meanwhile.'),
      403: failure('No valid session, or a cross-origin request.'),
      429: failure('Too many failed logins for this account or from this address.', RETRY_AFTER),
      503: OVERLOADED,
    },
    async handle(ctx, { auth }) {
      const { current_password, new_password } = ctx.state.body;
      const ended = await auth.account.changePassword(ctx.state.auth, current_password, new_password, clientContext(ctx));
      ctx.body = { email: ctx.state.auth.user.email, message: 'Password changed', sessions_ended: ended };
    },
  }),
];
