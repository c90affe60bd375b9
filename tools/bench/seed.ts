import type { Knex } from '@latchkey/adapters';
import { digestSecret, normalizeEmail } from '@latchkey/domain';

/** Password of every seeded user; one bcrypt hash of it is shared by all rows. */
export const SEED_PASSWORD = 'bench-password';
/** Users that log in during the login scenarios; they carry no session to break. */
export const LOGIN_USERS = 100;

export const sessionSecret = (index: number): string => `bench-session-${index}`;
export const userEmail = (index: number): string => `user${index}@bench.example`;
export const loginEmail = (index: number): string => `login${index}@bench.example`;

/**
 * Adds users `from`..`to - 1` (each with an open session) in big multi-row inserts inside
 * transactions, all with one precomputed hash: a million rows take seconds, not the
 * hours a million bcrypt hashes would.
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
        const last = Math.min(end, batch + perInsert);
        const values: unknown[] = [];
        for (let i = batch; i < last; i++) {
          const email = userEmail(i);
          values.push(email, normalizeEmail(email), hashedPassword, digestSecret(sessionSecret(i)), now, now, now);
        }
        const tuples = Array.from({ length: last - batch }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
        // Raw multi-row VALUES: Knex's builder turns SQLite inserts into 500-row UNION ALLs.
        await trx.raw(
          `INSERT INTO users (email, email_normalized, hashed_password, session_id, session_created_at, session_seen_at, created_at) VALUES ${tuples}`,
          values as Knex.RawBinding[],
        );
      }
    });
  }
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
