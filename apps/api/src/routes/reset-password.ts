import { z } from 'zod';
import { DATABASE_DOWN, Email, RETRY_AFTER, Secret, UNAVAILABLE, failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

export const RESET_EMAIL_SENT = 'If the address is registered, a reset email has been sent';

export const resetPasswordRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/reset_password',
    summary: 'Ask for a reset token',
    operationId: 'requestPasswordReset',
    body: z.object({ email: requiredText }),
    responses: {
      200: json(
        'With RESET_TOKEN_DELIVERY=response (the default): a single-use token, valid RESET_TOKEN_TTL_SECONDS, for this email only. ' +
          'With RESET_TOKEN_DELIVERY=email: the same message for every address, and the token goes by email.',
        z.union([z.object({ email: Email, reset_token: Secret }), z.object({ message: z.literal(RESET_EMAIL_SENT) })]),
      ),
      400: failure('A missing field, an email that is not an address, or a malformed body.'),
      403: failure('No user has this email (token in the response only), or a cross-origin request.'),
      429: failure('Too many reset requests for this email (RESET_REQUESTS_PER_EMAIL) or from this address (RESET_REQUESTS_PER_IP).', RETRY_AFTER),
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth, resetEmails }) {
      const { email } = ctx.state.body;
      if (resetEmails) {
        // The same answer, in the same time, for every address: the lookup and the email
        // happen after the response, so neither its body nor its timing tells who is registered.
        await resetEmails.request(email, clientContext(ctx));
        ctx.body = { message: RESET_EMAIL_SENT };
        return;
      }
      const { user, token } = await auth.passwords.request(email, clientContext(ctx));
      ctx.body = { email: user.email, reset_token: token };
    },
  }),

  endpoint({
    method: 'put',
    path: '/reset_password',
    summary: 'Set a new password with a reset token',
    operationId: 'updatePassword',
    body: z.object({ email: requiredText, reset_token: requiredText, new_password: requiredText }),
    responses: {
      200: json(
        'The password is changed, every reset token of the user used up and the sessions ended.',
        z.object({ email: Email, message: z.literal('Password updated') }),
      ),
      400: failure('A missing field, an email that is not an address, a password the policy refuses or a malformed body.'),
      403: failure('The token is unknown, used, expired or was issued for another email, or a cross-origin request.'),
      429: failure('Too many wrong reset tokens for this email (RESET_TOKEN_FAILURES_PER_ACCOUNT) or from this address (RESET_TOKEN_FAILURES_PER_IP).', RETRY_AFTER),
      503: failure(
        `Password hashing is saturated (HASH_CONCURRENCY busy and HASH_QUEUE_MAX waiting; the token stays usable), the wrong-token counters (REDIS_URL) did not answer within REDIS_TIMEOUT_MS, or ${DATABASE_DOWN}.`,
        RETRY_AFTER,
      ),
    },
    async handle(ctx, { auth }) {
      const { email, reset_token, new_password } = ctx.state.body;
      const user = await auth.updatePassword(reset_token, new_password, email, clientContext(ctx));
      ctx.body = { email: user.email, message: 'Password updated' };
    },
  }),
];
