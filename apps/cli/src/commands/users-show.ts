import type { Command } from '../command';
import { fields } from '../output';
import { findUserByEmail, viewUser } from './user-lookup';

export const usersShow: Command = {
  name: 'users show',
  args: ['EMAIL'],
  summary: 'Show a user: id, email, session and reset token state',
  details: 'Secrets are never shown: no password hash, session id or token digest.',
  database: 'schema',
  async run({ args: [email], services }) {
    const view = viewUser(await findUserByEmail(services.users, email!), services.auth);
    const session = view.session_active
      ? `active (started ${view.session_started_at}, last seen ${view.session_last_seen_at})`
      : 'none';
    const reset = view.reset_token_pending ? `pending (expires ${view.reset_token_expires_at})` : 'none';
    return {
      json: view,
      text: fields([
        ['id', String(view.id)],
        ['email', view.email],
        ['session', session],
        ['reset token', reset],
      ]),
    };
  },
};
