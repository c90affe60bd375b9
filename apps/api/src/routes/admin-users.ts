import type { Context } from 'koa';
import { z } from 'zod';
import { summarizePasskey, summarizeSession } from '@latchkey/domain';
import type { AdminCaller, AuthService, User } from '@latchkey/domain';
import type { AdminState } from '../admin-key';
import { Email, Secret, UNAVAILABLE, failure, json } from '../api-schemas';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';
import { PasskeyView } from './profile-passkeys';

const UNAUTHENTICATED = failure('No key, a malformed Authorization header, or a wrong or revoked key (with `WWW-Authenticate: Bearer`).', {
  'WWW-Authenticate': { description: '`Bearer realm="latchkey-admin"`', required: true, schema: { type: 'string' } },
});
const READ_ONLY = failure('"this API key is read-only": a read-only key asked for a change.');
const NO_USER = failure('No user has this id.');
const UserId = z.object({ id: z.string().regex(/^\d{1,15}$/).meta({ description: 'The user id.' }) });

const AdminUser = z
  .object({
    id: z.int(),
    email: Email,
    email_verified: z.boolean(),
    created_at: z.iso.datetime().nullable().meta({ description: 'Null for accounts made before creation times were kept.' }),
  })
  .meta({ id: 'AdminUser' });

const AdminSession = z.object({
  id: z.string().meta({ format: 'uuid', description: 'Public id (UUID v7); it opens nothing.' }),
  created_at: z.iso.datetime(),
  last_seen_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  second_factor: z.boolean(),
});

const AdminUserDetail = AdminUser.extend({
  email_verified_at: z.iso.datetime().nullable(),
  sessions: z.array(AdminSession).meta({ description: 'Live sessions, the most recently used first.' }),
  second_factor: z.object({ enabled: z.boolean(), recovery_codes_left: z.int() }),
  passkeys: z.array(PasskeyView).meta({ description: 'Registered passkeys, the oldest first.' }),
}).meta({ id: 'AdminUserDetail' });

const Page = z.object({
  email: z.string().min(1).max(320).optional().meta({ description: 'Only the user of this address (compared as registration does).' }),
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'At most this many users (1–200, default 50).' }),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,24}$/).optional().meta({ description: 'The `next_cursor` of the previous page.' }),
});

function isoOrNull(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

function userView(user: User, registeredAt: number | null = null) {
  return { id: user.id, email: user.email, email_verified: user.emailVerifiedAt !== null, created_at: isoOrNull(registeredAt) };
}

/** Cursors name the last id of a page; opaque to clients, so their form may change. */
function cursorOf(id: number | null): string | null {
  return id === null ? null : Buffer.from(String(id)).toString('base64url');
}

function afterIdOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const id = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

function caller(ctx: Context): AdminCaller {
  return (ctx.state as AdminState).admin;
}

function userId(ctx: Context): number {
  return Number((ctx as unknown as { params: { id: string } }).params.id);
}

/** The admin API: for programs with a Bearer key (see `latchkey api-keys create`), on ADMIN_PORT when it is set. */
export const adminUsersRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/admin/users',
    summary: 'List users in id order, or find the one of an address',
    operationId: 'adminListUsers',
    admin: 'read',
    query: Page,
    responses: {
      200: json('A page of users; `next_cursor` fetches the next (null on the last).', z.object({ users: z.array(AdminUser), next_cursor: z.string().nullable() })),
      400: failure('A query parameter out of bounds ("limit Too big: expected number to be <=200").'),
      401: UNAUTHENTICATED,
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      const query = (ctx.state as { query: z.output<typeof Page> }).query;
      const page = await auth.admin.listUsers(caller(ctx), { email: query.email, limit: query.limit, afterId: afterIdOf(query.cursor) });
      ctx.body = { users: await views(auth, page.users), next_cursor: cursorOf(page.next) };
    },
  }),

  endpoint({
    method: 'get',
    path: '/admin/users/:id',
    summary: 'A user with their sessions, verification, second factor and passkeys',
    operationId: 'adminShowUser',
    admin: 'read',
    params: UserId,
    responses: { 200: json('The user.', AdminUserDetail), 401: UNAUTHENTICATED, 404: NO_USER, 503: UNAVAILABLE },
    async handle(ctx, { auth }) {
      const { user, registeredAt, sessions, secondFactor } = await auth.admin.user(caller(ctx), userId(ctx));
      ctx.body = {
        ...userView(user, registeredAt),
        email_verified_at: isoOrNull(user.emailVerifiedAt),
        sessions: sessions.map((session) => {
          const { id, created_at, last_seen_at, expires_at, ip, user_agent, second_factor } = summarizeSession(session, auth.sessions.endsAt(session));
          return { id, created_at, last_seen_at, expires_at, ip, user_agent, second_factor };
        }),
        second_factor: { enabled: secondFactor.enabled, recovery_codes_left: secondFactor.recoveryCodesLeft },
        passkeys: (await auth.passkeys.list(user.id)).map(summarizePasskey),
      };
    },
  }),

  endpoint({
    method: 'delete',
    path: '/admin/users/:id/sessions',
    summary: 'End every session of a user',
    operationId: 'adminRevokeSessions',
    admin: 'change',
    params: UserId,
    responses: {
      200: json('How many sessions ended (each a session.revoked event).', z.object({ revoked: z.int() })),
      401: UNAUTHENTICATED,
      403: READ_ONLY,
      404: NO_USER,
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      ctx.body = { revoked: await auth.admin.revokeSessions(caller(ctx), userId(ctx)) };
    },
  }),

  endpoint({
    method: 'post',
    path: '/admin/users/:id/reset_token',
    summary: 'Issue a password reset token for a user (as `latchkey reset-token` does)',
    operationId: 'adminIssueResetToken',
    admin: 'change',
    params: UserId,
    responses: {
      200: json(
        'The token, for a support desk to hand over; the user sets a password with PUT /reset_password.',
        z.object({ user_id: z.int(), email: Email, reset_token: Secret, expires_at: z.iso.datetime() }),
      ),
      401: UNAUTHENTICATED,
      403: READ_ONLY,
      404: NO_USER,
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      const { user, token } = await auth.admin.issueResetToken(caller(ctx), userId(ctx));
      ctx.body = { user_id: user.id, email: user.email, reset_token: token, expires_at: new Date(Date.now() + auth.settings.resetTokenTtlMs).toISOString() };
    },
  }),

  endpoint({
    method: 'delete',
    path: '/admin/users/:id/second_factor',
    summary: "Remove a user's second factor, ending their sessions and pending logins",
    operationId: 'adminResetSecondFactor',
    admin: 'change',
    params: UserId,
    responses: {
      200: json('Whether a factor was removed (false: the user had none; the sessions ended all the same).', z.object({ removed: z.boolean() })),
      401: UNAUTHENTICATED,
      403: READ_ONLY,
      404: NO_USER,
      409: failure('Second factors are not configured.'),
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      ctx.body = { removed: await auth.admin.resetSecondFactor(caller(ctx), userId(ctx)) };
    },
  }),

  endpoint({
    method: 'delete',
    path: '/admin/users/:id',
    summary: 'Delete a user with their sessions and tokens',
    operationId: 'adminDeleteUser',
    admin: 'change',
    params: UserId,
    responses: { 204: { description: 'The account is deleted (a user.deleted event).' }, 401: UNAUTHENTICATED, 403: READ_ONLY, 404: NO_USER, 503: UNAVAILABLE },
    async handle(ctx, { auth }) {
      await auth.admin.deleteUser(caller(ctx), userId(ctx));
      ctx.status = 204;
    },
  }),
];

async function views(auth: AuthService, users: readonly User[]) {
  return Promise.all(users.map(async (user) => userView(user, await auth.account.registeredAt(user.id))));
}
