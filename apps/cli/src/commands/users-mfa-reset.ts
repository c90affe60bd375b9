import type { Command } from '../command';
import { CLI_CLIENT } from '../open-services';
import { fields } from '../output';
import { findUserByEmail } from './user-lookup';

export const usersMfaReset: Command = {
  name: 'users mfa-reset',
  args: ['EMAIL'],
  summary: "Remove the user's second factor (TOTP and recovery codes) and end every session",
  details:
    'For a user who lost their authenticator and recovery codes: their next login needs the password only. ' +
    'Every session and pending login ends, and the audit trail records second_factor_reset_by_admin. ' +
    'A user without a second factor is no error (their sessions end all the same).',
  database: 'schema',
  async run({ args: [email], services }) {
    const user = await findUserByEmail(services.users, email!);
    const removed = await services.auth.secondFactor.resetByAdmin(user.id, CLI_CLIENT);
    return {
      json: { email: user.email, second_factor_removed: removed },
      text: fields([
        ['email', user.email],
        ['second factor', removed ? 'removed; every session ended' : 'none was set; every session ended'],
      ]),
    };
  },
};
