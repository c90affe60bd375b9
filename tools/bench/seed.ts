import type { Knex } from '@latchkey/adapters';
import { digestSecret, newSessionId, normalizeEmail } from '@latchkey/domain';

/** Password of every seeded user; one bcrypt hash of it is shared by all rows. */
export const SEED_PASSWORD = 'bench-password';
/** Users that log in during the login scenarios; they carry no session to break. */
export const LOGIN_USERS = 100;

export const sessionSecret = (index: number): string => `bench-session-${index}`;
export const userEmail = (index: number): string => `user${index}@bench.example`;
export const loginEmail = (index: number): string => `login${index}@bench.example`;

/**
 * Adds users `from`..`to - 1`, each with an open session (a row of `sessions`), in big
 * multi-row inserts inside transactions, all with one precomputed hash: a million users
 * and their sessions take seconds, not the hours a million bcrypt hashes would.
 */
export async function seedSessionUsers(knex: Knex, from: number, to: number, hashedPassword: string): Promise<void> {
  const now = Date.now();
  // SQLite takes at most 32766 bound values a statement, PostgreSQL 65535.
  const perInsert = 4000;
  const perTransaction = perInsert * 25;
  for (let start = from; start < to; start += perTransaction) {
    const end = Math.min(to, start + perTransaction);
    await knex.transaction(async (trx) => {
      for (let batch = start; batch < end; batch += perInsert) {
        const ids = await insertUsers(trx, batch, Math.min(end, batch + perInsert), hashedPassword, now);
        await insertSessions(trx, ids, now);
      }
    });
  }
}

/** Raw multi-row VALUES: Knex's builder turns SQLite inserts into 500-row UNION ALLs. */
async function insertUsers(trx: Knex.Transaction, from: number, to: number, hashedPassword: string, now: number): Promise<Map<number, number>> {
  const values: unknown[] = [];
  for (let i = from; i < to; i++) values.push(userEmail(i), normalizeEmail(userEmail(i)), hashedPassword, now);
  const tuples = Array.from({ length: to - from }, () => '(?, ?, ?, ?)').join(', ');
  const result = await trx.raw(
    `INSERT INTO users (email, email_normalized, hashed_password, created_at) VALUES ${tuples} RETURNING id, email_normalized`,
    values as Knex.RawBinding[],
  );
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{ id: number; email_normalized: string }>;
  // RETURNING promises no order: each row says which seeded user it is.
  return new Map(rows.map((row) => [Number(/^user(\d+)@/.exec(row.email_normalized)![1]), Number(row.id)]));
}

/**
 * Sessions opened a minute ago and last seen at moments spread over that minute: each is
 * touched (its sliding expiry written) once a minute as a session in use is, at its own
 * moment, rather than all of them in the same second once a minute after the seeding.
 */
async function insertSessions(trx: Knex.Transaction, userIds: Map<number, number>, now: number): Promise<void> {
  const values: unknown[] = [];
  for (const [index, userId] of userIds) values.push(newSessionId(), userId, digestSecret(sessionSecret(index)), now - 60_000, now - ((index * 7919) % 60_000));
  const tuples = Array.from({ length: userIds.size }, () => '(?, ?, ?, ?, ?)').join(', ');
  await trx.raw(`INSERT INTO sessions (id, user_id, secret_digest, created_at, last_seen_at) VALUES ${tuples}`, values as Knex.RawBinding[]);
}

export async function seedLoginUsers(knex: Knex, hashedPassword: string): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: LOGIN_USERS }, (_, i) => ({
    email: loginEmail(i),
    email_normalized: normalizeEmail(loginEmail(i)),
    hashed_password: hashedPassword,
    created_at: now,
  }));
  await knex('users').insert(rows);
}

/** Session cookies of `count` seeded users spread evenly over the first `users`. */
export function sessionCookies(users: number, count: number): string[] {
  const step = Math.max(1, Math.floor(users / count));
  return Array.from({ length: Math.min(count, users) }, (_, k) => `session_id=${sessionSecret(k * step)}`);
}
