import { summarizeSession } from '@latchkey/domain';
import type { Command } from '../command';
import { table } from '../output';
import { findUserByEmail } from './user-lookup';

export const sessionsList: Command = {
  name: 'sessions list',
  args: ['EMAIL'],
  summary: "List the user's live sessions, the most recently used first",
  details: 'Each session by its public id (for `sessions revoke --id`), with its times, how the login was proven (password, or password and a second-factor code) and the client it was opened from. Never a cookie.',
  database: 'schema',
  async run({ args: [email], services }) {
    const { auth } = services;
    const user = await findUserByEmail(services.users, email!);
    const views = (await auth.sessions.list(user.id)).map((session) => summarizeSession(session, auth.sessions.endsAt(session)));
    const rows = views.map((view) => [view.id, view.created_at, view.last_seen_at, view.second_factor ? 'password+code' : 'password', view.ip ?? '-', view.user_agent ?? '-']);
    const count = `${views.length} ${views.length === 1 ? 'session' : 'sessions'}`;
    return {
      json: { email: user.email, sessions: views },
      text: `${table(['ID', 'CREATED', 'LAST SEEN', 'LOGIN', 'IP', 'USER AGENT'], rows)}\n${count}`,
    };
  },
};
