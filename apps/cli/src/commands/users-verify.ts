import type { Command } from '../command';
import { UserNotFoundError } from '../cli-errors';
import { CLI_CLIENT } from '../open-services';
import { fields } from '../output';

export const usersVerify: Command = {
  name: 'users verify',
  args: ['EMAIL'],
  summary: "Mark the user's email address verified (as if the emailed link had been used)",
  details: 'With EMAIL_VERIFICATION=required the user can log in from then on. The audit trail records email_verified.',
  database: 'schema',
  async run({ args: [email], services }) {
    if (!(await services.auth.account.markVerified(email!, CLI_CLIENT))) throw new UserNotFoundError(email!);
    return { json: { email: email!, email_verified: true }, text: fields([['email', email!], ['email verified', 'yes']]) };
  },
};
