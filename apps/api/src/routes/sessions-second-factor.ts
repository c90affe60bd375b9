import { z } from 'zod';
import { NoPendingLoginError } from '@latchkey/domain';
import { DATABASE_DOWN, Email, RETRY_AFTER, SET_SESSION_COOKIE, failure, json, requiredText } from '../api-schemas';
import { clientContext } from '../client-context';
import { PENDING_LOGIN_COOKIE, SESSION_COOKIE, clearCookie, readCookie, setCookie } from '../cookies';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

/** POST /sessions/second_factor: a TOTP or recovery code completes the pending login of the cookie. */
export const sessionsSecondFactorRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/sessions/second_factor',
    summary: 'Complete a login with a second factor',
    operationId: 'completeSecondFactorLogin',
    cookies: [PENDING_LOGIN_COOKIE],
    body: z.object({ code: requiredText.meta({ description: 'A current 6-digit TOTP code (each accepted once) or an unused recovery code.' }) }),
    responses: {
      200: json(
        'Logged in with the second factor: a new session cookie (the pending one is used up and cleared).',
        z.object({ email: Email, message: z.literal('logged in') }),
        SET_SESSION_COOKIE,
      ),
      400: failure('A missing code or a malformed body.'),
      401: failure('"invalid code": wrong, already used (replay) or malformed. The pending login stays, until SECOND_FACTOR_FAILURES_PER_ACCOUNT wrong codes end it.'),
      403: failure('No pending login: none sent, expired (5 minutes), completed, or ended by wrong codes; or a cross-origin request.'),
      429: failure(
        'Too many wrong codes for the account (SECOND_FACTOR_FAILURES_PER_ACCOUNT per LOGIN_FAILURE_WINDOW_SECONDS): the pending login is ended; the password step is not locked.',
        RETRY_AFTER,
      ),
      503: failure(`The wrong-code counters (REDIS_URL) did not answer, or ${DATABASE_DOWN}.`, RETRY_AFTER),
    },
    async handle(ctx, { auth, cookie }) {
      const token = readCookie(ctx, PENDING_LOGIN_COOKIE);
      try {
        if (!token) throw new NoPendingLoginError();
        const { user, sessionId } = await auth.logins.completeWithSecondFactor(token, ctx.state.body.code, clientContext(ctx));
        clearCookie(ctx, PENDING_LOGIN_COOKIE, cookie);
        setCookie(ctx, SESSION_COOKIE, sessionId, cookie);
        ctx.body = { email: user.email, message: 'logged in' };
      } catch (error) {
        // A pending login that is gone stays gone: the browser forgets its cookie too.
        if (error instanceof NoPendingLoginError) clearCookie(ctx, PENDING_LOGIN_COOKIE, cookie);
        throw error;
      }
    },
  }),
];
