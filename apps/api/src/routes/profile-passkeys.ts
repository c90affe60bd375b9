import { z } from 'zod';
import { PASSKEY_NAME_MAX, summarizePasskey } from '@latchkey/domain';
import { PASSKEYS_OFF, RETRY_AFTER, UNAVAILABLE, WebAuthnOptions, WebAuthnResponse, failure, json } from '../api-schemas';
import { clientContext } from '../client-context';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

export const PasskeyView = z
  .object({
    id: z.string().meta({ format: 'uuid', description: 'Public id (UUID v7).' }),
    name: z.string().max(PASSKEY_NAME_MAX),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    transports: z.array(z.string()).meta({ description: 'As the authenticator reported them (`internal`, `hybrid`, `usb`, `nfc`, `ble`).' }),
    deviceType: z.enum(['singleDevice', 'multiDevice']).meta({ description: '`multiDevice`: a synced passkey.' }),
    backedUp: z.boolean(),
  })
  .meta({ id: 'Passkey' });

const StepUp = z.object({
  password: z.string().min(1).optional().meta({ description: 'The current password: needed when the session was opened more than PASSKEY_STEP_UP_SECONDS ago.' }),
});

const NO_SESSION = failure('No valid session, or a cross-origin request.');
const STEP_UP_FAILURES = {
  401: failure('"wrong password" (counted as a failed login of the account).'),
  403: failure('"confirm your password…" (code `step_up_required`): the session is older than PASSKEY_STEP_UP_SECONDS and no password was given; or no valid session, or a cross-origin request.'),
  429: failure('Too many failed logins for this account or from this address.', RETRY_AFTER),
};

/** The signed-in user's passkeys: register (options, then the attestation), list, rename, remove. */
export const profilePasskeysRoutes: Endpoint[] = [
  endpoint({
    method: 'post',
    path: '/profile/passkeys/options',
    summary: 'Start registering a passkey',
    operationId: 'passkeyRegistrationOptions',
    session: 'required',
    body: StepUp,
    bodyOptional: true,
    responses: {
      200: json(
        'PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create() (startRegistration({optionsJSON})): the user\'s passkeys excluded, resident key and user verification preferred, attestation none. Its challenge is bound to this session, valid PASSKEY_CHALLENGE_TTL_SECONDS, once; a new call replaces it.',
        WebAuthnOptions,
      ),
      400: failure('A malformed body.'),
      ...STEP_UP_FAILURES,
      501: PASSKEYS_OFF,
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      ctx.body = await auth.passkeys.registrationOptions(ctx.state.auth, ctx.state.body.password, clientContext(ctx));
    },
  }),

  endpoint({
    method: 'post',
    path: '/profile/passkeys',
    summary: 'Register a passkey',
    operationId: 'registerPasskey',
    session: 'required',
    body: z.object({
      response: WebAuthnResponse,
      name: z.string().max(200).optional().meta({ description: `Shown in lists; trimmed and cut to ${PASSKEY_NAME_MAX} characters. Default "Passkey <n>".` }),
    }),
    responses: {
      201: json('Verified and stored; `passkey.added` is audited and sent to webhooks.', PasskeyView),
      400: failure('"no passkey ceremony…" (code `no_passkey_ceremony`): no options asked in this session, expired or used already; a missing response or a malformed body.'),
      401: failure('"invalid passkey": the attestation does not verify (challenge, origin, RP ID, user presence, signature).'),
      403: NO_SESSION,
      409: failure('"at most N passkeys per account" (PASSKEYS_PER_USER_MAX, code `passkey_limit`) or "this passkey is registered already" (`passkey_exists`).'),
      501: PASSKEYS_OFF,
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      const { response, name } = ctx.state.body;
      const passkey = await auth.passkeys.register(ctx.state.auth, response, name, clientContext(ctx));
      ctx.status = 201;
      ctx.body = view(passkey);
    },
  }),

  endpoint({
    method: 'get',
    path: '/profile/passkeys',
    summary: "The caller's passkeys",
    operationId: 'listPasskeys',
    session: 'required',
    responses: {
      200: json('Every passkey of the user, the oldest first.', z.object({ passkeys: z.array(PasskeyView) })),
      403: failure('No valid session.'),
    },
    async handle(ctx, { auth }) {
      ctx.body = { passkeys: (await auth.passkeys.list(ctx.state.auth.user.id)).map(view) };
    },
  }),

  endpoint({
    method: 'patch',
    path: '/profile/passkeys/:id',
    summary: 'Rename a passkey',
    operationId: 'renamePasskey',
    session: 'required',
    params: z.object({ id: z.string().meta({ description: 'The passkey\'s id (or its credential id).' }) }),
    body: z.object({ name: z.string({ error: 'is required' }).trim().min(1, { error: 'is required' }).max(200) }),
    responses: {
      200: json(`Renamed (trimmed, cut to ${PASSKEY_NAME_MAX} characters).`, PasskeyView),
      400: failure('A missing name or a malformed body.'),
      403: NO_SESSION,
      404: failure('No passkey of the caller has this id.'),
    },
    async handle(ctx, { auth }) {
      ctx.body = view(await auth.passkeys.rename(ctx.state.auth.user.id, ctx.params.id ?? '', ctx.state.body.name));
    },
  }),

  endpoint({
    method: 'delete',
    path: '/profile/passkeys/:id',
    summary: 'Remove a passkey',
    operationId: 'removePasskey',
    session: 'required',
    params: z.object({ id: z.string().meta({ description: 'The passkey\'s id (or its credential id).' }) }),
    body: StepUp,
    bodyOptional: true,
    responses: {
      204: { description: 'Removed; `passkey.removed` is audited and sent to webhooks.' },
      400: failure('A malformed body.'),
      ...STEP_UP_FAILURES,
      404: failure('No passkey of the caller has this id.'),
      409: failure('"the last passkey of an account without a password cannot be removed" (code `last_sign_in_method`).'),
      503: UNAVAILABLE,
    },
    async handle(ctx, { auth }) {
      await auth.passkeys.remove(ctx.state.auth, ctx.params.id ?? '', ctx.state.body.password, clientContext(ctx));
      ctx.status = 204;
    },
  }),
];

function view(passkey: Parameters<typeof summarizePasskey>[0]) {
  return summarizePasskey(passkey);
}
