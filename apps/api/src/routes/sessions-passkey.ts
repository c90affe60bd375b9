import { z } from 'zod';
import { NoPasskeyCeremonyError, NoPendingLoginError, SecondFactorRequiredError } from '@latchkey/domain';
import type { LoginResult } from '@latchkey/domain';
import type { Context } from 'koa';
import { DATABASE_DOWN, Email, ErrorBody, PASSKEYS_OFF, RETRY_AFTER, SET_SESSION_COOKIE, UNAVAILABLE, WebAuthnOptions, WebAuthnResponse, failure, json, setCookieHeader } from '../api-schemas';
import { clientContext } from '../client-context';
import type { CookieSettings } from '../cookies';
import { PASSKEY_CEREMONY_COOKIE, PENDING_LOGIN_COOKIE, SESSION_COOKIE, clearCookie, readCookie, setCookie } from '../cookies';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

const LoggedIn = z.object({ email: Email, message: z.literal('logged in') });
const SecondFactorRequired = z.object({ message: z.literal('second factor required'), second_factor_required: z.literal(true) });

/**
 * Signing in with a passkey (POST /sessions/passkey/options, then POST /sessions/passkey),
 * and a passkey as the second factor of a login whose password was right
 * (POST /sessions/second_factor/passkey/options, then POST /sessions/second_factor/passkey).
 */
export const sessionsPasskeyRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/sessions/passkey/options',
    summary: 'Start a passkey sign-in',
    operationId: 'passkeySignInOptions',
    body: z.object({ email: z.string().max(320).optional().meta({ description: 'Without it: any discoverable passkey (empty allowCredentials).' }) }),
    bodyOptional: true,
    responses: {
      200: json(
        'PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get() (startAuthentication({optionsJSON})). With an email: that account\'s credentials as allowCredentials; for an email of no account (or of one without passkeys) stand-in ids derived from the email, the same at every call, so the answer tells nothing. The ceremony is tied to this browser by the `passkey_ceremony` cookie.',
        WebAuthnOptions,
        setCookieHeader('`passkey_ceremony=<secret>; Path=/; Max-Age=<PASSKEY_CHALLENGE_TTL_SECONDS>; HttpOnly; SameSite=Lax`.'),
      ),
      400: failure('A malformed body.'),
      403: failure('A cross-origin request.'),
      429: failure('Too many sign-in ceremonies from this address (PASSKEY_CEREMONIES_PER_IP per LOGIN_FAILURE_WINDOW_SECONDS).', RETRY_AFTER),
      501: PASSKEYS_OFF,
      503: failure(`The counters (REDIS_URL) did not answer, or ${DATABASE_DOWN}.`, RETRY_AFTER),
    },
    async handle(ctx, { auth, cookie }) {
      const ceremony = await auth.passkeys.signInOptions(ctx.state.body.email, clientContext(ctx));
      setCookie(ctx, PASSKEY_CEREMONY_COOKIE, ceremony.handle, cookie, ceremony.expiresInSeconds);
      ctx.body = ceremony.options;
    },
  }),

  endpoint({
    method: 'post',
    path: '/sessions/passkey',
    summary: 'Sign in with a passkey',
    operationId: 'passkeySignIn',
    cookies: [PASSKEY_CEREMONY_COOKIE],
    body: z.object({ response: WebAuthnResponse }),
    responses: {
      200: json(
        'Signed in as POST /sessions signs in: the session cookie is set (strength `passkey`, amr `["hwk"]` in signed tokens); the ceremony cookie is cleared. A passkey used with user verification is also the second factor.',
        LoggedIn,
        SET_SESSION_COOKIE,
      ),
      400: failure('"no passkey ceremony…" (code `no_passkey_ceremony`): no `passkey_ceremony` cookie, or its challenge expired or was used; a missing response or a malformed body.'),
      401: json(
        '"invalid passkey": the assertion does not verify (signature, challenge, origin, RP ID, user presence, user verification when required), names an unknown credential or another account\'s than the email asked for, or its counter went backwards. ' +
          'Or, for a user with a second factor whose assertion carried no user verification: "second factor required" and the pending login\'s cookie, as POST /sessions answers.',
        z.union([ErrorBody, SecondFactorRequired]),
        setCookieHeader('With "second factor required": `second_factor_pending=<token>; …`.', false),
      ),
      403: failure('A cross-origin request.'),
      429: failure('Too many failed logins for this account or from this address (the login throttle counts failed passkey sign-ins).', RETRY_AFTER),
      501: PASSKEYS_OFF,
      503: failure(`The login failure counters (REDIS_URL) did not answer, or ${DATABASE_DOWN}.`, RETRY_AFTER),
    },
    async handle(ctx, { auth, cookie }) {
      const handle = readCookie(ctx, PASSKEY_CEREMONY_COOKIE);
      let result: LoginResult;
      try {
        if (!handle) throw new NoPasskeyCeremonyError();
        result = await auth.passkeys.signIn(handle, ctx.state.body.response, clientContext(ctx));
      } catch (error) {
        // Whatever the outcome, the ceremony is used up: the browser forgets its cookie.
        if (handle) clearCookie(ctx, PASSKEY_CEREMONY_COOKIE, cookie);
        if (!(error instanceof SecondFactorRequiredError)) throw error;
        setCookie(ctx, PENDING_LOGIN_COOKIE, error.pendingToken, cookie, error.expiresInSeconds);
        ctx.status = 401;
        ctx.body = { message: 'second factor required', second_factor_required: true };
        return;
      }
      clearCookie(ctx, PASSKEY_CEREMONY_COOKIE, cookie);
      loggedIn(ctx, result, cookie);
    },
  }),

  endpoint({
    method: 'post',
    path: '/sessions/second_factor/passkey/options',
    summary: 'Start a passkey as the second factor',
    operationId: 'passkeySecondFactorOptions',
    cookies: [PENDING_LOGIN_COOKIE],
    responses: {
      200: json(
        'PublicKeyCredentialRequestOptionsJSON with the pending login\'s user\'s passkeys as allowCredentials; the challenge is bound to the pending login (a new call replaces it).',
        WebAuthnOptions,
      ),
      403: failure('No pending login (none sent, expired, completed or ended), or a cross-origin request.'),
      501: PASSKEYS_OFF,
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      const token = readCookie(ctx, PENDING_LOGIN_COOKIE);
      if (!token) throw new NoPendingLoginError();
      ctx.body = await auth.passkeys.secondFactorOptions(token);
    },
  }),

  endpoint({
    method: 'post',
    path: '/sessions/second_factor/passkey',
    summary: 'Complete a login with a passkey as the second factor',
    operationId: 'completeSecondFactorLoginWithPasskey',
    cookies: [PENDING_LOGIN_COOKIE],
    body: z.object({ response: WebAuthnResponse }),
    responses: {
      200: json('Logged in: a new session cookie (strength `password_passkey`, amr `["pwd","hwk"]`); the pending login is used up and its cookie cleared.', LoggedIn, SET_SESSION_COOKIE),
      400: failure('A missing response or a malformed body.'),
      401: failure('"invalid code": the assertion does not verify, is not of the pending login\'s user, its challenge expired or was used, or its counter went backwards. Counted as a wrong code.'),
      403: failure('No pending login, or a cross-origin request.'),
      429: failure('Too many wrong second factors for the account (SECOND_FACTOR_FAILURES_PER_ACCOUNT): the pending login is ended.', RETRY_AFTER),
      501: PASSKEYS_OFF,
      503: failure(`The wrong-code counters (REDIS_URL) did not answer, or ${DATABASE_DOWN}.`, RETRY_AFTER),
    },
    async handle(ctx, { auth, cookie }) {
      const token = readCookie(ctx, PENDING_LOGIN_COOKIE);
      try {
        if (!token) throw new NoPendingLoginError();
        const result = await auth.passkeys.completeSecondFactor(token, ctx.state.body.response, clientContext(ctx));
        clearCookie(ctx, PENDING_LOGIN_COOKIE, cookie);
        loggedIn(ctx, result, cookie);
      } catch (error) {
        if (error instanceof NoPendingLoginError) clearCookie(ctx, PENDING_LOGIN_COOKIE, cookie);
        throw error;
      }
    },
  }),
];

function loggedIn(ctx: Context, result: LoginResult, cookie: CookieSettings): void {
  setCookie(ctx, SESSION_COOKIE, result.sessionId, cookie);
  ctx.body = { email: result.user.email, message: 'logged in' };
}
