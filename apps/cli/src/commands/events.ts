import { NoResultFound } from '@latchkey/domain';
import { UserNotFoundError } from '../cli-errors';
import type { Command } from '../command';
import { isoTime, table } from '../output';

const DEFAULT_LIMIT = 20;

export const events: Command = {
  name: 'events',
  args: ['EMAIL'],
  summary: 'Show the recent authentication events of an email',
  details:
    'Most recent first, from the audit trail: registrations, logins (succeeded, failed, throttled), logouts, ' +
    'reset requests and password changes, with client address and user agent. Events of an unregistered ' +
    'email (failed logins, reset requests) are shown too; with none, the email is not found (exit 1).',
  options: {
    limit: {
      type: 'string',
      value: 'N',
      description: `Show at most N events (default ${DEFAULT_LIMIT}, at most 1000)`,
      wholeNumber: { min: 1, max: 1000 },
    },
  },
  database: 'schema',
  async run({ args: [email], options, services }) {
    const user = await services.users.findUserBy({ email: email! }).catch((error: unknown) => {
      if (error instanceof NoResultFound) return null;
      throw error;
    });
    const limit = (options.limit as number | undefined) ?? DEFAULT_LIMIT;
    const found = await services.audit.recent({ email: email!, userId: user?.id, limit });
    if (!user && found.length === 0) throw new UserNotFoundError(email!);
    const views = found.map((event) => ({
      time: isoTime(event.occurredAt),
      type: event.type,
      user_id: event.userId,
      ip: event.ip,
      user_agent: event.userAgent,
    }));
    const rows = views.map((v) => [v.time ?? '', v.type, v.user_id === null ? '-' : String(v.user_id), v.ip ?? '-', v.user_agent ?? '-']);
    const who = user ? `${user.email} (user ${user.id})` : `${email!.trim()} (not registered)`;
    const text = views.length === 0 ? `No events for ${who}.` : `${who}\n${table(['TIME', 'EVENT', 'USER', 'IP', 'USER AGENT'], rows)}`;
    return { json: { email: user?.email ?? email!.trim(), user_id: user?.id ?? null, events: views }, text };
  },
};
