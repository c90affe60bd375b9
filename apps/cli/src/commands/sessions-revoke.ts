import { UnknownSessionError } from '@latchkey/domain';
import type { Command } from '../command';
import { CLI_CLIENT } from '../open-services';
import { fields } from '../output';
import { findUserByEmail } from './user-lookup';

export const sessionsRevoke: Command = {
  name: 'sessions revoke',
  args: ['EMAIL'],
  summary: "End the user's sessions (all of them, or one with --id) at once",
  details:
    'The next request with an ended session cookie is refused (403). Without --id every session ends; ' +
    'revoking when there is none is no error. An --id that is not one of the user\'s sessions exits 1.',
  options: { id: { type: 'string', value: 'ID', description: 'The public id of one session (from `latchkey sessions list`)' } },
  database: 'schema',
  async run({ args: [email], options, services }) {
    const user = await findUserByEmail(services.users, email!);
    const id = options.id as string | undefined;
    const revoked = await services.auth.sessions.revokeAsAdmin(user.id, id, CLI_CLIENT);
    if (id !== undefined && revoked === 0) throw new UnknownSessionError();
    return {
      json: { email: user.email, revoked },
      text: fields([
        ['email', user.email],
        ['revoked', revoked === 0 ? 'none to revoke' : `${revoked} ${revoked === 1 ? 'session' : 'sessions'}`],
      ]),
    };
  },
};
