import { NoResultFound, auditEmailDigest } from '@latchkey/domain';
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
    'email (failed logins, reset requests) are shown too, and those of a deleted account (kept under the ' +
    "digest of its email); with none, the email is not found (exit 1).",
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
    let found = await services.audit.recent({ email: email!, userId: user?.id, limit });
    // A deleted account's events name only the digest of its email.
    const deleted = user ? [] : await services.audit.recent({ email: auditEmailDigest(email!), limit });
    if (deleted.length > 0) found = [...found, ...deleted].sort((a, b) => b.id - a.id).slice(0, limit);
    if (!user && found.length === 0) throw new UserNotFoundError(email!);
    const views = found.map((event) => ({
      time: isoTime(event.occurredAt),
      type: event.type,
      user_id: event.userId,
      ip: event.ip,
      user_agent: event.userAgent,
    }));
    const rows = views.map((v) => [v.time ?? '', v.type, v.user_id === null ? '-' : String(v.user_id), v.ip ?? '-', v.user_agent ?? '-']);
    const who = user ? `${user.email} (user ${user.id})` : `${email!.trim()} (${deleted.length > 0 ? 'deleted' : 'not registered'})`;
    const text = views.length === 0 ? `No events for ${who}.` : `${who}\n${table(['TIME', 'EVENT', 'USER', 'IP', 'USER AGENT'], rows)}`;
    return { json: { email: user?.email ?? email!.trim(), user_id: user?.id ?? null, events: views }, text };
  },
};
