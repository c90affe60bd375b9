/**
 * The OpenAPI 3.1 document of the API. Tests check that its paths and methods are the
 * router's, one for one, and that every response of the HTTP tests validates against it.
 */

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

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds before trying again.', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
};

/** Routes that hash a password refuse at once, rather than queue without end, when hashing is saturated. */
const OVERLOADED = failure('Password hashing is saturated (HASH_CONCURRENCY busy and HASH_QUEUE_MAX waiting).', RETRY_AFTER);

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
        '200': json('The user is registered.', object({ email, message: { const: 'user created' } })),
        '400': failure('"email already registered", or a missing field, an email that is not an address (over 254 bytes, no single @, a control character), a password the policy refuses, a malformed body.'),
        '403': failure('A cross-origin request.'),
        '503': OVERLOADED,
      },
    },
  },
  '/sessions': {
    post: {
      summary: 'Log in',
      operationId: 'login',
      requestBody: formOrJson(object({ email: text, password: text })),
      responses: {
        '200': json('Logged in; the session cookie is set.', object({ email, message: { const: 'logged in' } }), SET_SESSION_COOKIE),
        '400': failure('A missing field or a malformed body.'),
        '401': failure('Wrong email or password (the same answer for both, also for an email that is not an address).'),
        '403': failure('A cross-origin request (login CSRF).'),
        '429': failure('Too many failed logins for this email or from this address.', RETRY_AFTER),
        '503': failure(
          'Password hashing is saturated (HASH_CONCURRENCY busy and HASH_QUEUE_MAX waiting), or the login failure counters (REDIS_URL) cannot be reached.',
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
      },
    },
  },
  '/profile': {
    get: {
      summary: 'The logged-in user',
      operationId: 'profile',
      parameters: [SESSION_COOKIE],
      responses: {
        '200': json('The user of the session.', object({ email })),
        '403': failure('No valid session.'),
        '503': failure('"server busy; try again later": the session lookup missed its deadline (PostgreSQL).', RETRY_AFTER),
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
      },
    },
    put: {
      summary: 'Set a new password with a reset token',
      operationId: 'updatePassword',
      requestBody: formOrJson(object({ email: text, reset_token: text, new_password: text })),
      responses: {
        '200': json('The password is changed, the token used up and the sessions ended.', object({ email, message: { const: 'Password updated' } })),
        '400': failure('A missing field, an email that is not an address, a password the policy refuses or a malformed body.'),
        '403': failure('The token is unknown, used, expired or was issued for another email, or a cross-origin request.'),
        '503': OVERLOADED,
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
        '503': failure('"database unreachable" or "shutting down".'),
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
      Error: object({ message: text }),
    },
    headers: {
      RequestId: { description: 'The request id, also in every log line of the request.', required: true, schema: text },
    },
  },
};
