import { z } from 'zod';
import { Email, OVERLOADED, failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

export const usersRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/users',
    summary: 'Register a user',
    operationId: 'registerUser',
    body: z.object({ email: requiredText, password: requiredText.meta({ description: 'At most 72 UTF-8 bytes.' }) }),
    responses: {
      200: json(
        'The user is registered. With EMAIL_VERIFICATION=required, also the answer for an address already registered (its owner is told by email), and a link to verify the address is emailed.',
        z.object({ email: Email, message: z.literal('user created') }),
      ),
      400: failure(
        '"email already registered" (unless EMAIL_VERIFICATION=required), or a missing field, an email that is not an address (over 254 bytes, no single @, a control character), a password the policy refuses, a malformed body.',
      ),
      403: failure('A cross-origin request.'),
      503: OVERLOADED,
    },
    async handle(ctx, { auth }) {
      const { email, password } = ctx.state.body;
      // With EMAIL_VERIFICATION=required a registered address gets this same answer (its owner an email).
      ctx.body = { email: await auth.account.signUp(email, password, clientContext(ctx)), message: 'user created' };
    },
  }),
];
