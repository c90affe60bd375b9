import { z } from 'zod';
import { NotAuthenticatedError, SecondFactorRequiredError, UnknownSessionError, summarizeSession } from '@latchkey/domain';
import type { AuthService, LoginResult, Session } from '@latchkey/domain';
import { CLEARED_SESSION_COOKIE, DATABASE_DOWN, Email, ErrorBody, RETRY_AFTER, SET_SESSION_COOKIE, UNAVAILABLE, failure, json, requiredText, setCookieHeader } from '../api-schemas';
import { clientContext } from '../client-context';
import { PENDING_LOGIN_COOKIE, SESSION_COOKIE, clearCookie, setCookie } from '../cookies';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

const SessionView = z
  .object({
    id: z.string().meta({ format: 'uuid', description: 'Public id (UUID v7); it opens nothing.' }),
    created_at: z.iso.datetime(),
    last_seen_at: z.iso.datetime().meta({ description: 'Recorded at most once a minute.' }),
    expires_at: z.iso.datetime().meta({ description: 'When it ends if unused from now on (absolute or idle limit, the earlier).' }),
    ip: z.string().nullable().meta({ description: 'Client address at login.' }),
    user_agent: z.string().nullable().meta({ description: 'User agent at login (at most 512 characters).' }),
    current: z.boolean().meta({ description: 'True for the session of the cookie sent.' }),
    second_factor: z.boolean().meta({ description: 'True when the login that opened it passed a second factor.' }),
  })
  .meta({ id: 'Session' });

const SecondFactorRequired = z.object({ message: z.literal('second factor required'), second_factor_required: z.literal(true) });

const NO_SESSION = failure('No valid session, or a cross-origin request.');

/** POST and DELETE /sessions (the contract), and the caller's own sessions: /sessions/others, /sessions/{id}. */
export const sessionsRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/sessions',
    summary: 'Log in',
    operationId: 'login',
    body: z.object({ email: requiredText, password: requiredText }),
    responses: {
      200: json('Logged in; the session cookie is set.', z.object({ email: Email, message: z.literal('logged in') }), SET_SESSION_COOKIE),
      400: failure('A missing field or a malformed body.'),
      401: json(
        'Wrong email or password (the same answer for both, also for an email that is not an address). ' +
          'Or, for a user with a second factor, the right password: "second factor required", no session, and the cookie of a pending login (5 minutes) for POST /sessions/second_factor.',
        z.union([ErrorBody, SecondFactorRequired]),
        setCookieHeader('With "second factor required": `second_factor_pending=<token>; Path=/; Max-Age=300; HttpOnly; SameSite=Lax`.', false),
      ),
      403: failure('A cross-origin request (login CSRF).'),
      429: failure('Too many failed logins for this email or from this address.', RETRY_AFTER),
      503: failure(
        `Password hashing is saturated (HASH_CONCURRENCY busy and HASH_QUEUE_MAX waiting), the login failure counters (REDIS_URL) did not answer within REDIS_TIMEOUT_MS, or ${DATABASE_DOWN}.`,
        RETRY_AFTER,
      ),
    },
    async handle(ctx, { auth, cookie }) {
      const { email, password } = ctx.state.body;
      let result: LoginResult;
      try {
        result = await auth.logins.login(email, password, clientContext(ctx));
      } catch (error) {
        if (!(error instanceof SecondFactorRequiredError)) throw error;
        // The right password of a user with a second factor: no session yet, a pending login's cookie for POST /sessions/second_factor.
        setCookie(ctx, PENDING_LOGIN_COOKIE, error.pendingToken, cookie, error.expiresInSeconds);
        ctx.status = 401;
        ctx.body = { message: 'second factor required', second_factor_required: true };
        return;
      }
      setCookie(ctx, SESSION_COOKIE, result.sessionId, cookie);
      ctx.body = { email: result.user.email, message: 'logged in' };
    },
  }),

  endpoint({
    method: 'get',
    path: '/sessions',
    summary: "The caller's sessions",
    operationId: 'listSessions',
    session: 'required',
    responses: {
      200: json('Every live session of the user, the most recently used first.', z.object({ sessions: z.array(SessionView) })),
      403: failure('No valid session.'),
    },
    async handle(ctx, { auth }) {
      const { user, session: current } = ctx.state.auth;
      const sessions = await auth.sessions.list(user.id);
      ctx.body = { sessions: sessions.map((session) => sessionView(auth, session, current.id)) };
    },
  }),

  endpoint({
    method: 'delete',
    path: '/sessions',
    summary: 'Log out',
    operationId: 'logout',
    // The domain ends the session of this very secret: the user's other sessions stay.
    session: 'secret',
    responses: {
      302: {
        description: 'The session is destroyed and the cookie cleared; redirect to /.',
        headers: { Location: { description: 'Always `/`.', required: true, schema: { const: '/' } }, ...CLEARED_SESSION_COOKIE },
      },
      403: NO_SESSION,
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth, cookie }) {
      if (!(await auth.sessions.logout(ctx.state.sessionSecret, clientContext(ctx)))) throw new NotAuthenticatedError();
      clearCookie(ctx, SESSION_COOKIE, cookie);
      ctx.redirect('/');
    },
  }),

  // Before /sessions/:id, which would take "others" for an id.
  endpoint({
    method: 'delete',
    path: '/sessions/others',
    summary: 'End every session of the caller but this one',
    operationId: 'revokeOtherSessions',
    session: 'required',
    responses: {
      200: json('How many sessions ended.', z.object({ revoked: z.int().min(0) })),
      403: NO_SESSION,
    },
    async handle(ctx, { auth }) {
      const { user, session } = ctx.state.auth;
      ctx.body = { revoked: await auth.sessions.revokeOthers(user.id, session.id, clientContext(ctx)) };
    },
  }),

  endpoint({
    method: 'delete',
    path: '/sessions/:id',
    summary: 'End one of the caller’s sessions',
    operationId: 'revokeSession',
    session: 'required',
    params: z.object({ id: z.string().meta({ description: 'The public id of a session (from GET /sessions).' }) }),
    responses: {
      204: { description: 'The session is ended (the cookie is cleared when it was the caller’s own).' },
      403: NO_SESSION,
      404: failure('No session of the caller has this id: another user’s, an ended one and an unknown one answer alike.'),
    },
    async handle(ctx, { auth, cookie }) {
      const { user, session } = ctx.state.auth;
      const id = ctx.params.id ?? '';
      if (!(await auth.sessions.revoke(user.id, id, clientContext(ctx)))) throw new UnknownSessionError();
      if (id === session.id) clearCookie(ctx, SESSION_COOKIE, cookie);
      ctx.status = 204;
    },
  }),
];

function sessionView(auth: AuthService, session: Session, currentId: string) {
  return { ...summarizeSession(session, auth.sessions.endsAt(session)), current: session.id === currentId };
}
