import type { Command } from '../command';
import { CLI_CLIENT } from '../open-services';
import { fields, isoTime } from '../output';
import { findUserByEmail } from './user-lookup';

export const resetToken: Command = {
  name: 'reset-token',
  args: ['EMAIL'],
  summary: 'Issue a password reset token for the user, with its expiry',
  details: [
    'For a support desk: give the token to the user, who sets a new password with',
    'PUT /reset_password (email, reset_token, new_password). The token works once, only',
    'with this email, until it expires (RESET_TOKEN_TTL_SECONDS). The user\'s other live tokens',
    '(up to RESET_TOKENS_PER_USER) keep working; using any one of them ends them all.',
  ].join('\n'),
  database: 'schema',
  async run({ args: [email], services }) {
    const { user, token } = await services.auth.passwords.issue((await findUserByEmail(services.users, email!)).email, CLI_CLIENT);
    const expiresAt = isoTime((await services.users.findUserBy({ id: user.id })).resetTokenExpiresAt);
    return {
      json: { email: user.email, reset_token: token, expires_at: expiresAt },
      text: fields([
        ['email', user.email],
        ['reset_token', token],
        ['expires_at', `${expiresAt} (in ${Math.round(services.auth.settings.resetTokenTtlMs / 60_000)} minutes)`],
      ]),
    };
  },
};
