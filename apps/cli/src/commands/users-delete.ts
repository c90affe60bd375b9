import type { Command } from '../command';
import { UserNotFoundError } from '../cli-errors';
import { CLI_CLIENT } from '../open-services';
import { fields } from '../output';
import { auditEmailDigest } from '@latchkey/domain';

export const usersDelete: Command = {
  name: 'users delete',
  args: ['EMAIL'],
  summary: 'Delete the user with their sessions and tokens, in one transaction',
  details:
    'As DELETE /profile does: the audit trail keeps the events, their email replaced by a one-way digest ' +
    '(shown; `latchkey events DIGEST` lists them), and the address may register again.',
  database: 'schema',
  async run({ args: [email], services }) {
    if (!(await services.auth.account.deleteAccountAsAdmin(email!, CLI_CLIENT))) throw new UserNotFoundError(email!);
    const digest = auditEmailDigest(email!);
    return { json: { email: email!, deleted: true, audit_email: digest }, text: fields([['email', email!], ['deleted', 'yes'], ['audit email', digest]]) };
  },
};
