/**
 * The OpenAPI 3.1 document of the API. Tests check that its paths and methods are the
 * router's, one for one, and that every response of the HTTP tests validates against it.
 */

import { ERROR_CODES } from '@latchkey/domain';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const object = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

const text: Schema = { type: 'string' };
const email: Schema = { type: 'string', description: 'The email as registered (trimmed, case kept).' };
const secret: Schema = { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', description: '256 random bits, base64url.' };

const REQUEST_ID = { $ref: '#/components/headers/RequestId' };

function json(description: string, schema: Schema, headers: Record<string, unknown> = {}): Schema {
  return { description, headers: { 'X-Request-Id': REQUEST_ID, ...headers }, content: { 'application/json': { schema } } };
}

function failure(description: string, headers: Record<string, unknown> = {}): Schema {
  return json(description, ref('Error'), headers);
}

function formOrJson(schema: Schema): Schema {
  return {
    required: true,
    content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } },
  };
}

/**
 * Refusals that come before routing, so that any operation may answer them: a body that
 * is malformed, too large or of another type, and (for changes) a session cookie sent
 * from a page of a foreign origin, with or without a cookie. An operation's own entry for a status replaces these.
 */
function refusedBeforeRouting(method: string): Record<string, Schema> {
  return {
    '400': failure('A malformed body, or one announced as gzip, deflate or br that does not decompress.'),
    ...(method === 'get' ? {} : { '403': failure('"cross-origin request refused": a change sent from a page of another origin than the service or ALLOWED_ORIGINS.') }),
    '413': failure('The body is larger than BODY_LIMIT.'),
    '415': failure('The body is neither form-encoded nor JSON.'),
  };
}

const SESSION_COOKIE = {
  name: 'session_id',
  in: 'cookie',
  required: false,
  description: 'The session id set by POST /sessions.',
  schema: text,
};

const SET_SESSION_COOKIE = {
  'Set-Cookie': {
    description: '`session_id=<id>; Path=/; Max-Age=<SESSION_TTL_SECONDS>; HttpOnly; SameSite=Lax` (and `Secure` with COOKIE_SECURE).',
    required: true,
    schema: text,
  },
};

const CLEARED_COOKIE = {
  'Set-Cookie': { description: '`session_id=; …; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`: the cookie is cleared.', required: true, schema: text },
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds before trying again.', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
};

const DATABASE_DOWN = 'the database is down, cannot write (disk full) or did not answer within DATABASE_TIMEOUT_MS';

/** Every route that reads or writes the database answers 503 while it is unavailable. */
const UNAVAILABLE = failure(`The service is unavailable for a moment: ${DATABASE_DOWN}.`, RETRY_AFTER);

/** Routes that hash a password refuse at once, rather than queue without end, when hashing is saturated. */
const OVERLOADED = failure(`Password hashing is saturated (HASH_CONCURRENCY busy and HASH_QUEUE_MAX waiting), or ${DATABASE_DOWN}.`, RETRY_AFTER);

const PENDING_COOKIE = {
  name: 'second_factor_pending',
  in: 'cookie',
  required: false,
  description: 'The pending login set by POST /sessions when a second factor is required.',
  schema: text,
};

const RECOVERY_CODES = object({
  recovery_codes: { type: 'array', minItems: 10, maxItems: 10, items: { type: 'string', pattern: '^[a-z2-7]{4}(-[a-z2-7]{4}){3}$' }, description: 'Each works once.' },
});

/** What every code check of a signed-in user may answer. */
const CODE_CHECK_FAILURES = {
  '400': failure('A missing field or a malformed body.'),
  '401': failure('"invalid code": wrong, already used or malformed.'),
  '403': failure('No valid session, or a cross-origin request.'),
  '429': failure('Too many wrong codes for the account (SECOND_FACTOR_FAILURES_PER_ACCOUNT per LOGIN_FAILURE_WINDOW_SECONDS).', RETRY_AFTER),
  '503': failure(`No encryption key, the wrong-code counters (REDIS_URL) did not answer, or ${DATABASE_DOWN}.`, RETRY_AFTER),
};

const PATHS = {
  '/': {
    get: {
      summary: 'Welcome',
      operationId: 'welcome',
      responses: { '200': json('Welcome message.', object({ message: { const: 'Bienvenue' } })) },
    },
  },
  '/users': {
    post: {
      summary: 'Register a user',
      operationId: 'registerUser',
      requestBody: formOrJson(object({ email: text, password: { type: 'string', description: 'At most 72 UTF-8 bytes.' } })),
      responses: {
        '200': json(
          'The user is registered. With EMAIL_VERIFICATION=required, also the answer for an address already registered (its owner is told by email), and a link to verify the address is emailed.',
          object({ email, message: { const: 'user created' } }),
        ),
        '400': failure('"email already registered" (unless EMAIL_VERIFICATION=required), or a missing field, an email that is not an address (over 254 bytes, no single @, a control character), a password the policy refuses, a malformed body.'),
        '403': failure('A cross-origin request.'),
        '503': OVERLOADED,
      },
    },
  },
  '/sessions': {
    get: {
      summary: "The caller's sessions",
      operationId: 'listSessions',
      parameters: [SESSION_COOKIE],
      responses: {
        '200': json('Every live session of the user, the most recently used first.', object({ sessions: { type: 'array', items: ref('Session') } })),
        '403': failure('No valid session.'),
      },
    },
    post: {
      summary: 'Log in',
      operationId: 'login',
      requestBody: formOrJson(object({ email: text, password: text })),
      responses: {
        '200': json('Logged in; the session cookie is set.', object({ email, message: { const: 'logged in' } }), SET_SESSION_COOKIE),
        '400': failure('A missing field or a malformed body.'),
        '401': json(
          'Wrong email or password (the same answer for both, also for an email that is not an address). ' +
            'Or, for a user with a second factor, the right password: "second factor required", no session, and the cookie of a pending login (5 minutes) for POST /sessions/second_factor.',
          { oneOf: [ref('Error'), object({ message: { const: 'second factor required' }, second_factor_required: { const: true } })] },
          { 'Set-Cookie': { description: 'With "second factor required": `second_factor_pending=<token>; Path=/; Max-Age=300; HttpOnly; SameSite=Lax`.', required: false, schema: text } },
        ),
        '403': failure('A cross-origin request (login CSRF).'),
        '429': failure('Too many failed logins for this email or from this address.', RETRY_AFTER),
        '503': failure(
          `Password hashing is saturated (HASH_CONCURRENCY busy and HASH_QUEUE_MAX waiting), the login failure counters (REDIS_URL) did not answer within REDIS_TIMEOUT_MS, or ${DATABASE_DOWN}.`,
          RETRY_AFTER,
        ),
      },
    },
    delete: {
      summary: 'Log out',
      operationId: 'logout',
      parameters: [SESSION_COOKIE],
      responses: {
        '302': {
          description: 'The session is destroyed and the cookie cleared; redirect to /.',
          headers: {
            'X-Request-Id': REQUEST_ID,
            Location: { description: 'Always `/`.', required: true, schema: { const: '/' } },
            ...SET_SESSION_COOKIE,
          },
        },
        '403': failure('No valid session, or a cross-origin request.'),
        '503': UNAVAILABLE,
      },
    },
  },
  '/sessions/second_factor': {
    post: {
      summary: 'Complete a login with a second factor',
      operationId: 'completeSecondFactorLogin',
      parameters: [PENDING_COOKIE],
      requestBody: formOrJson(object({ code: { type: 'string', description: 'A current 6-digit TOTP code (each accepted once) or an unused recovery code.' } })),
      responses: {
        '200': json('Logged in with the second factor: a new session cookie (the pending one is used up and cleared).', object({ email, message: { const: 'logged in' } }), SET_SESSION_COOKIE),
        '400': failure('A missing code or a malformed body.'),
        '401': failure('"invalid code": wrong, already used (replay) or malformed. The pending login stays, until SECOND_FACTOR_FAILURES_PER_ACCOUNT wrong codes end it.'),
        '403': failure('No pending login: none sent, expired (5 minutes), completed, or ended by wrong codes; or a cross-origin request.'),
        '429': failure('Too many wrong codes for the account (SECOND_FACTOR_FAILURES_PER_ACCOUNT per LOGIN_FAILURE_WINDOW_SECONDS): the pending login is ended; the password step is not locked.', RETRY_AFTER),
        '503': failure(`The wrong-code counters (REDIS_URL) did not answer, or ${DATABASE_DOWN}.`, RETRY_AFTER),
      },
    },
  },
  '/sessions/others': {
    delete: {
      summary: 'End every session of the caller but this one',
      operationId: 'revokeOtherSessions',
      parameters: [SESSION_COOKIE],
      responses: {
        '200': json('How many sessions ended.', object({ revoked: { type: 'integer', minimum: 0 } })),
        '403': failure('No valid session, or a cross-origin request.'),
      },
    },
  },
  '/sessions/{id}': {
    delete: {
      summary: 'End one of the caller’s sessions',
      operationId: 'revokeSession',
      parameters: [SESSION_COOKIE, { name: 'id', in: 'path', required: true, description: 'The public id of a session (from GET /sessions).', schema: text }],
      responses: {
        '204': { description: 'The session is ended (the cookie is cleared when it was the caller’s own).', headers: { 'X-Request-Id': REQUEST_ID } },
        '403': failure('No valid session, or a cross-origin request.'),
        '404': failure('No session of the caller has this id: another user’s, an ended one and an unknown one answer alike.'),
      },
    },
  },
  '/profile': {
    get: {
      summary: 'The logged-in user',
      operationId: 'profile',
      parameters: [SESSION_COOKIE],
      responses: {
        '200': json(
          'The user of the session; `email_verified` only when EMAIL_VERIFICATION is not off; `second_factor: true` only when the session was opened with a second factor (otherwise the contract\'s `{"email": E}`).',
          object({ email, email_verified: { type: 'boolean' }, second_factor: { const: true } }, ['email']),
        ),
        '403': failure('No valid session (a pending login is none).'),
        '503': UNAVAILABLE,
      },
    },
    delete: {
      summary: 'Delete the account',
      operationId: 'deleteAccount',
      parameters: [SESSION_COOKIE],
      requestBody: formOrJson(object({ password: text })),
      responses: {
        '200': json(
          'The user, their sessions and tokens are deleted in one transaction, the cookie cleared; the audit trail keeps the events with the email replaced by `sha256:<hex of the lower-cased email>`. The address may register again.',
          object({ email, message: { const: 'Account deleted' } }),
          CLEARED_COOKIE,
        ),
        '400': failure('A missing field or a malformed body.'),
        '401': failure('"wrong password" (counted as a failed login of the account).'),
        '403': failure('No valid session, or a cross-origin request.'),
        '429': failure('Too many failed logins for this account or from this address.', RETRY_AFTER),
        '503': OVERLOADED,
      },
    },
  },
  '/profile/password': {
    put: {
      summary: 'Change the password while signed in',
      operationId: 'changePassword',
      parameters: [SESSION_COOKIE],
      requestBody: formOrJson(object({ current_password: text, new_password: text })),
      responses: {
        '200': json(
          'The password is changed and every other session of the user ended, in one transaction; this session stays.',
          object({ email, message: { const: 'Password changed' }, sessions_ended: { type: 'integer', minimum: 0 } }),
        ),
        '400': failure('A missing field, a new password the policy refuses or a malformed body.'),
        '401': failure('"wrong password": the current password is wrong (counted as a failed login) or was changed meanwhile.'),
        '403': failure('No valid session, or a cross-origin request.'),
        '429': failure('Too many failed logins for this account or from this address.', RETRY_AFTER),
        '503': OVERLOADED,
      },
    },
  },
  '/profile/email': {
    put: {
      summary: 'Ask to change the email',
      operationId: 'requestEmailChange',
      parameters: [SESSION_COOKIE],
      requestBody: formOrJson(object({ password: text, new_email: text })),
      responses: {
        '200': json(
          'A link valid VERIFICATION_TOKEN_TTL_SECONDS is emailed to the new address, a notice to the current one; nothing changes until the link is used.',
          object({ email, new_email: email, message: { const: 'A confirmation link was sent to the new address' } }),
        ),
        '400': failure('A missing field, a new email that is not an address or is the current one, or a malformed body.'),
        '401': failure('"wrong password" (counted as a failed login of the account).'),
        '403': failure('No valid session, or a cross-origin request.'),
        '429': failure('Too many failed logins for this account or from this address.', RETRY_AFTER),
        '501': failure('"email is not configured": no SMTP_URL and no feature that sends email.'),
        '503': OVERLOADED,
      },
    },
  },
  '/profile/email/confirm': {
    post: {
      summary: 'Use a change-of-email link',
      operationId: 'confirmEmailChange',
      requestBody: formOrJson(object({ token: text })),
      responses: {
        '200': json('The account now has the new address, verified; every email link of the user is used up; the old address is told.', object({ email, message: { const: 'Email changed' } })),
        '400': failure('"invalid or expired link", "email already registered" (another account took the address meanwhile; the link stays usable), a missing field or a malformed body.'),
        '403': failure('A cross-origin request.'),
        '503': UNAVAILABLE,
      },
    },
  },
  '/verify_email': {
    post: {
      summary: 'Verify the email with the emailed link',
      operationId: 'verifyEmail',
      requestBody: formOrJson(object({ token: text })),
      responses: {
        '200': json('The address is verified (only while the account still has the address the link was sent to).', object({ email, message: { const: 'email verified' } })),
        '400': failure('"invalid or expired link", a missing field or a malformed body.'),
        '403': failure('A cross-origin request.'),
        '503': UNAVAILABLE,
      },
    },
  },
  '/verify_email/resend': {
    post: {
      summary: 'Send a new verification link',
      operationId: 'resendVerification',
      parameters: [SESSION_COOKIE],
      requestBody: { ...formOrJson(object({ email: text }, [])), required: false },
      responses: {
        '200': json(
          'Signed in: to the session\'s address. Otherwise to the account of `email`, the same answer for every address (a link goes only to an unverified account).',
          object({ message: { const: 'If the address awaits verification, a new link has been sent' } }),
        ),
        '400': failure('EMAIL_VERIFICATION is off, no cookie and no email, an email that is not an address, or a malformed body.'),
        '403': failure('An invalid session cookie, or a cross-origin request.'),
        '429': failure('Too many resends for this address (VERIFICATION_RESENDS_PER_EMAIL) or from this client (VERIFICATION_RESENDS_PER_IP).', RETRY_AFTER),
        '503': UNAVAILABLE,
      },
    },
  },
  '/profile/totp': {
    post: {
      summary: 'Start a TOTP enrolment',
      operationId: 'startTotpEnrolment',
      parameters: [SESSION_COOKIE],
      responses: {
        '200': json(
          'A new secret (RFC 6238: SHA-1, 6 digits, 30 s), waiting for its first code; a new POST replaces a waiting one.',
          object({ secret: { type: 'string', description: 'Base32.' }, otpauth_uri: { type: 'string', description: 'otpauth://totp/… for authenticator apps.' }, qr_svg: { type: 'string', description: 'The URI as a QR code, SVG.' } }),
        ),
        '403': failure('No valid session, or a cross-origin request.'),
        '409': failure('"a second factor is enabled already".'),
        '503': failure(`No encryption key: "Second factors are unavailable: ENCRYPTION_KEYS is not set" (production), or ${DATABASE_DOWN}.`, RETRY_AFTER),
      },
    },
    put: {
      summary: 'Enable the enrolment with a current code',
      operationId: 'enableTotp',
      parameters: [SESSION_COOKIE],
      requestBody: formOrJson(object({ code: text })),
      responses: {
        '200': json('Enabled: every other session of the user is ended. The 10 recovery codes, shown this once.', RECOVERY_CODES),
        ...CODE_CHECK_FAILURES,
        '409': failure('"no enrolment is waiting for a code".'),
      },
    },
    delete: {
      summary: 'Remove the second factor',
      operationId: 'removeTotp',
      parameters: [SESSION_COOKIE],
      requestBody: formOrJson(object({ password: text, code: { type: 'string', description: 'A current TOTP code or a recovery code.' } })),
      responses: {
        '200': json('Removed, with its recovery codes; every other session of the user is ended.', object({ message: { const: 'second factor removed' } })),
        ...CODE_CHECK_FAILURES,
        '401': failure('"invalid password or code".'),
        '409': failure('"no second factor is enabled".'),
      },
    },
  },
  '/profile/recovery_codes': {
    post: {
      summary: 'Replace the recovery codes',
      operationId: 'replaceRecoveryCodes',
      parameters: [SESSION_COOKIE],
      requestBody: formOrJson(object({ code: { type: 'string', description: 'A current TOTP code.' } })),
      responses: {
        '200': json('A new set of 10; the old set stops working.', RECOVERY_CODES),
        ...CODE_CHECK_FAILURES,
        '409': failure('"no second factor is enabled".'),
      },
    },
  },
  '/reset_password': {
    post: {
      summary: 'Ask for a reset token',
      operationId: 'requestPasswordReset',
      requestBody: formOrJson(object({ email: text })),
      responses: {
        '200': json(
          'With RESET_TOKEN_DELIVERY=response (the default): a single-use token, valid RESET_TOKEN_TTL_SECONDS, for this email only. ' +
            'With RESET_TOKEN_DELIVERY=email: the same message for every address, and the token goes by email.',
          {
            oneOf: [
              object({ email, reset_token: secret }),
              object({ message: { const: 'If the address is registered, a reset email has been sent' } }),
            ],
          },
        ),
        '400': failure('A missing field, an email that is not an address, or a malformed body.'),
        '403': failure('No user has this email (token in the response only), or a cross-origin request.'),
        '429': failure('Too many reset requests for this email (RESET_REQUESTS_PER_EMAIL) or from this address (RESET_REQUESTS_PER_IP).', RETRY_AFTER),
        '503': UNAVAILABLE,
      },
    },
    put: {
      summary: 'Set a new password with a reset token',
      operationId: 'updatePassword',
      requestBody: formOrJson(object({ email: text, reset_token: text, new_password: text })),
      responses: {
        '200': json('The password is changed, every reset token of the user used up and the sessions ended.', object({ email, message: { const: 'Password updated' } })),
        '400': failure('A missing field, an email that is not an address, a password the policy refuses or a malformed body.'),
        '403': failure('The token is unknown, used, expired or was issued for another email, or a cross-origin request.'),
        '503': failure('Password hashing is saturated (HASH_CONCURRENCY busy and HASH_QUEUE_MAX waiting); the token stays usable.', RETRY_AFTER),
      },
    },
  },
  '/healthz': {
    get: {
      summary: 'Liveness: the process answers',
      operationId: 'healthz',
      responses: { '200': json('The process is up.', object({ status: { const: 'ok' } })) },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: the database answers and the process is not shutting down',
      operationId: 'readyz',
      responses: {
        '200': json('Ready for traffic.', object({ status: { const: 'ready' } })),
        '503': failure('"database unreachable", "database cannot write" (its disk is full) or "shutting down".'),
      },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics',
      operationId: 'metrics',
      responses: {
        '200': {
          description: 'Prometheus text exposition format.',
          headers: { 'X-Request-Id': REQUEST_ID },
          content: { 'text/plain': { schema: text } },
        },
      },
    },
  },
  '/openapi.json': {
    get: {
      summary: 'This document',
      operationId: 'openapi',
      responses: { '200': json('The OpenAPI 3.1 document.', { type: 'object', required: ['openapi', 'paths'] }) },
    },
  },
};

/** The document's form of a router path: `/sessions/:id` is `/sessions/{id}`. */
export function openApiPath(routerPath: string): string {
  return routerPath.replace(/:(\w+)/g, '{$1}');
}

/** Each operation's responses, after the refusals any request may get before routing. */
function withRefusals(paths: typeof PATHS): typeof PATHS {
  return Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => [
          method,
          { ...operation, responses: { ...refusedBeforeRouting(method), ...operation.responses } },
        ]),
      ),
    ]),
  ) as typeof PATHS;
}

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Latchkey',
    version: '0.1.0',
    description:
      'User authentication: registration, login with a session cookie, profile, logout and password reset. ' +
      'Bodies may be form-encoded or JSON. Every failure is JSON {"message": …}; a path that does not exist answers 404, ' +
      'a path with another method 405 with Allow, and any request, whatever its path, may be refused before routing ' +
      '(400 malformed body, 403 change from a page of another origin, 413 body too large, 415 body neither form nor JSON). Every response carries X-Request-Id (the request\'s own when it sent a plain one) and Cache-Control: no-store.',
  },
  paths: withRefusals(PATHS),
  components: {
    schemas: {
      Error: object(
        { message: text, code: { type: 'string', enum: [...ERROR_CODES], description: 'Stable name of a domain refusal; absent on transport errors (404, 405, 413, 415, 500).' } },
        ['message'],
      ),
      Session: object({
        id: { type: 'string', format: 'uuid', description: 'Public id (UUID v7); it opens nothing.' },
        created_at: { type: 'string', format: 'date-time' },
        last_seen_at: { type: 'string', format: 'date-time', description: 'Recorded at most once a minute.' },
        expires_at: { type: 'string', format: 'date-time', description: 'When it ends if unused from now on (absolute or idle limit, the earlier).' },
        ip: { type: ['string', 'null'], description: 'Client address at login.' },
        user_agent: { type: ['string', 'null'], description: 'User agent at login (at most 512 characters).' },
        current: { type: 'boolean', description: 'True for the session of the cookie sent.' },
        second_factor: { type: 'boolean', description: 'True when the login that opened it passed a second factor.' },
      }),
    },
    headers: {
      RequestId: { description: 'The request id, also in every log line of the request.', required: true, schema: text },
    },
  },
};
