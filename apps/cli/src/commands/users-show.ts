import { summarizePasskey } from '@latchkey/domain';
import type { Command } from '../command';
import { fields } from '../output';
import { findUserByEmail, viewUser } from './user-lookup';

export const usersShow: Command = {
  name: 'users show',
  args: ['EMAIL'],
  summary: 'Show a user: id, email, creation time, verification, sessions, reset token state, second factor and passkeys',
  details: 'Secrets are never shown: no password hash, session id or token digest.',
  database: 'schema',
  async run({ args: [email], services }) {
    const user = await findUserByEmail(services.users, email!);
    const view = await viewUser(user, services.auth);
    const secondFactor = await services.auth.secondFactor.status(user.id);
    const passkeys = (await services.auth.passkeys.list(user.id)).map((passkey) => ({ ...summarizePasskey(passkey), credentialId: passkey.credentialId }));
    const others = view.sessions > 1 ? `; ${view.sessions} in all, see \`latchkey sessions list\`` : '';
    const session = view.session_active
      ? `active (latest started ${view.session_started_at}, last seen ${view.session_last_seen_at}${others})`
      : 'none';
    const reset = view.reset_token_pending ? `pending (expires ${view.reset_token_expires_at})` : 'none';
    return {
      json: {
        ...view,
        second_factor: secondFactor.enabled,
        recovery_codes_left: secondFactor.recoveryCodesLeft,
        passkeys: passkeys.map((p) => ({ id: p.id, credential_id: p.credentialId, name: p.name, created_at: p.createdAt, last_used_at: p.lastUsedAt, transports: p.transports, synced: p.deviceType === 'multiDevice' })),
      },
      text: fields([
        ['id', String(view.id)],
        ['email', view.email],
        ['created', view.created_at ?? 'unknown'],
        ['email verified', view.email_verified ? `yes (${view.email_verified_at})` : 'no'],
        ['session', session],
        ['reset token', reset],
        ['second factor', secondFactor.enabled ? `TOTP (${secondFactor.recoveryCodesLeft} recovery codes left)` : 'none'],
        ['passkeys', passkeys.length === 0 ? 'none' : String(passkeys.length)],
        ...passkeys.map((p) => ['  passkey', `${p.id} ${JSON.stringify(p.name)} (created ${p.createdAt}, last used ${p.lastUsedAt ?? 'never'})`] as const),
      ]),
    };
  },
};
