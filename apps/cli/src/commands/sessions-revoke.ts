import type { Command } from '../command';
import { CLI_CLIENT } from '../open-services';
import { fields } from '../output';
import { findUserByEmail } from './user-lookup';

export const sessionsRevoke: Command = {
  name: 'sessions revoke',
  args: ['EMAIL'],
  summary: "End the user's session at once",
  details: 'The next request with the session cookie is refused (403). Revoking when there is no session is no error.',
  database: 'schema',
  async run({ args: [email], services }) {
    const user = await findUserByEmail(services.users, email!);
    const hadSession = user.sessionId !== null;
    await services.auth.destroySession(user.id, CLI_CLIENT);
    return {
      json: { email: user.email, revoked: hadSession },
      text: fields([
        ['email', user.email],
        ['session', hadSession ? 'revoked' : 'none to revoke'],
      ]),
    };
  },
};
