import type { Command } from '../command';
import { table } from '../output';
import { viewUser } from './user-lookup';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 10_000;

export const usersList: Command = {
  name: 'users list',
  args: [],
  summary: 'List users in id order',
  options: {
    limit: {
      type: 'string',
      value: 'N',
      description: `Show at most N users (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`,
      wholeNumber: { min: 1, max: MAX_LIMIT },
    },
    offset: {
      type: 'string',
      value: 'N',
      description: 'Skip the first N users (default 0)',
      wholeNumber: { min: 0, max: Number.MAX_SAFE_INTEGER },
    },
  },
  database: 'schema',
  async run({ options, services }) {
    const limit = (options.limit as number | undefined) ?? DEFAULT_LIMIT;
    const offset = (options.offset as number | undefined) ?? 0;
    const views = [];
    for (const user of await services.users.listUsers({ limit, offset })) views.push(await viewUser(user, services.auth));
    const rows = views.map((view) => [String(view.id), view.email, view.session_active ? 'active' : '-']);
    const count = `${views.length} ${views.length === 1 ? 'user' : 'users'}`;
    const footer = views.length === limit ? `${count}; more may follow: --offset ${offset + limit}` : count;
    return { json: views, text: `${table(['ID', 'EMAIL', 'SESSION'], rows)}\n${footer}` };
  },
};
