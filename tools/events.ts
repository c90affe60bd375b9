/**
 * Prints the recent authentication events of an email, most recent first, from the
 * audit trail (table auth_events) of DATABASE_URL:
 *   npm run events -- bob@example.com [--limit 20]
 */
import { pathToFileURL } from 'node:url';
import { KnexAuditLog, KnexUserRepository, createKnex } from '@latchkey/adapters';
import { NoResultFound } from '@latchkey/domain';
import type { RecordedAuthEvent } from '@latchkey/domain';
import { loadConfig } from '@latchkey/runtime';

const USAGE = 'usage: npm run events -- <email> [--limit N]   (N from 1 to 1000, 20 when not given)';

export interface EventsRequest {
  email: string;
  limit: number;
}

/** The request the arguments make, or null when they make none. */
export function parseEventsArgs(args: readonly string[]): EventsRequest | null {
  const rest = [...args];
  let limit = 20;
  const flag = rest.indexOf('--limit');
  if (flag >= 0) {
    limit = Number(rest[flag + 1]);
    rest.splice(flag, 2);
  }
  const [email, ...extra] = rest;
  if (!email || email.startsWith('-') || extra.length > 0 || !Number.isInteger(limit) || limit < 1 || limit > 1000) return null;
  return { email, limit };
}

/** One line an event: time, type, account, client address, user agent. */
export function formatEvent(event: RecordedAuthEvent): string {
  return [
    new Date(event.occurredAt).toISOString(),
    event.type.padEnd(16),
    (event.userId === null ? 'user -' : `user ${event.userId}`).padEnd(10),
    (event.ip ?? '-').padEnd(15),
    event.userAgent ?? '-',
  ].join('  ');
}

/** The lines the command prints for one email. */
export async function eventsReport(databaseUrl: string, { email, limit }: EventsRequest): Promise<string[]> {
  const knex = createKnex(databaseUrl, { poolMax: 1 });
  try {
    const user = await new KnexUserRepository(knex).findUserBy({ email }).catch((error: unknown) => {
      if (error instanceof NoResultFound) return null;
      throw error;
    });
    const events = await new KnexAuditLog(knex).recent({ email, userId: user?.id, limit });
    const who = user ? `${user.email} (user ${user.id})` : `${email.trim()} (no such user)`;
    if (events.length === 0) return [`No events for ${who}.`];
    return [`Last ${events.length} events for ${who}, most recent first:`, ...events.map(formatEvent)];
  } finally {
    await knex.destroy();
  }
}

async function main(): Promise<number> {
  const request = parseEventsArgs(process.argv.slice(2));
  if (!request) {
    console.error(USAGE);
    return 2;
  }
  try {
    for (const line of await eventsReport(loadConfig().DATABASE_URL, request)) console.log(line);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(/auth_events/.test(message) && /no such table|does not exist/.test(message) ? 'The database has no audit trail yet: run npm run migrate' : message);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then((code) => process.exit(code));
}
