import { createServer } from 'node:http';
import { createAuth, InvalidCredentialsError, UserAlreadyExistsError } from '@latchkey/domain';
import { BcryptPasswordHasher } from '@latchkey/adapters/bcrypt';
import { KnexPasswordResetTokenRepository, KnexSessionRepository, KnexUserRepository, createKnex, migrateToLatest } from '@latchkey/adapters/knex';

const COOKIE = 'session_id';

/** AuthService on an SQLite file (or `sqlite::memory:`), served by node:http: register, log in, profile, log out. */
export async function createApp({ databaseUrl = 'sqlite:data/app.db', bcryptRounds = 10 } = {}) {
  const knex = createKnex(databaseUrl, { timeoutMs: 5000 });
  await migrateToLatest(knex);
  const auth = createAuth({
    users: new KnexUserRepository(knex),
    sessions: new KnexSessionRepository(knex),
    resetTokens: new KnexPasswordResetTokenRepository(knex),
    hasher: new BcryptPasswordHasher(bcryptRounds),
  });
  const server = createServer((request, response) => {
    route(auth, request).then(
      ({ status, body, headers = {} }) => send(response, status, body, headers),
      (error) => send(response, ...failure(error)),
    );
  });
  return { server, close: async () => {
    await new Promise((resolve) => server.close(resolve));
    await knex.destroy();
  } };
}

async function route(auth, request) {
  const { pathname } = new URL(request.url, 'http://localhost');
  const key = `${request.method} ${pathname}`;
  if (key === 'POST /users') {
    const { email, password } = await readForm(request);
    const user = await auth.registerUser(email, password);
    return { status: 201, body: { email: user.email, message: 'user created' } };
  }
  if (key === 'POST /sessions') {
    const { email, password } = await readForm(request);
    const { user, sessionId } = await auth.logins.login(email, password);
    return { status: 200, body: { email: user.email }, headers: { 'set-cookie': `${COOKIE}=${sessionId}; HttpOnly; SameSite=Lax; Path=/` } };
  }
  if (key === 'GET /profile') {
    const user = await auth.getUserFromSessionId(cookie(request));
    return user ? { status: 200, body: { email: user.email } } : { status: 403, body: { message: 'forbidden' } };
  }
  if (key === 'DELETE /sessions') {
    const ended = await auth.sessions.logout(cookie(request));
    return ended ? { status: 204 } : { status: 403, body: { message: 'forbidden' } };
  }
  return { status: 404, body: { message: 'not found' } };
}

function failure(error) {
  if (error instanceof UserAlreadyExistsError) return [409, { message: 'email already registered' }];
  if (error instanceof InvalidCredentialsError) return [401, { message: 'wrong email or password' }];
  if (error instanceof BadRequest) return [400, { message: error.message }];
  console.error(error);
  return [500, { message: 'internal error' }];
}

class BadRequest extends Error {}

const BODY_LIMIT = 16 * 1024;

async function readForm(request) {
  let text = '';
  for await (const chunk of request) {
    text += chunk;
    if (text.length > BODY_LIMIT) throw new BadRequest('body too large');
  }
  const form = Object.fromEntries(new URLSearchParams(text));
  if (typeof form.email !== 'string' || typeof form.password !== 'string') throw new BadRequest('email and password are required');
  return form;
}

function cookie(request) {
  const found = (request.headers.cookie ?? '').split(';').map((part) => part.trim().split('=')).find(([name]) => name === COOKIE);
  return found?.[1] ?? null;
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, body === undefined ? headers : { ...headers, 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}
