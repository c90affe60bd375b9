import type { Knex } from 'knex';
import type { ChangeMessages, User, UserAttribute, UserChanges, UserFilter, UserPage, UserRepository } from '@latchkey/domain';
import { insertOutboxMessages } from './knex-outbox-rows';
import { PreparedPostgresReads } from './prepared-postgres-reads';
import { PreparedSqliteReads } from './prepared-sqlite-reads';
import {
  NoResultFound,
  UserAlreadyExistsError,
  assertValidChanges,
  assertValidFilter,
  checkedPage,
  messagesOf,
  newUser,
  normalizeEmail,
} from '@latchkey/domain';

const COLUMNS: Record<UserAttribute, string> = {
  id: 'id',
  email: 'email',
  hashedPassword: 'hashed_password',
  resetToken: 'reset_token',
  resetTokenExpiresAt: 'reset_token_expires_at',
  emailVerifiedAt: 'email_verified_at',
};

const SELECTED = Object.entries(COLUMNS).map(([attribute, column]) => `${column} as ${attribute}`);

export type UserRow = Record<UserAttribute, unknown>;
type Row = UserRow;

/** The user columns of a prepared read, each named after its attribute; `table.` before each when given. */
export function userColumns(table = ''): string {
  return Object.entries(COLUMNS)
    .map(([attribute, column]) => `${table}${column} AS "${attribute}"`)
    .join(', ');
}

const PREPARED_COLUMNS = userColumns();

/** UserRepository on any Knex client (SQLite, PostgreSQL). */
export class KnexUserRepository implements UserRepository {
  /** Set on better-sqlite3: lookups skip the query builder (the session check is the hot path). */
  private readonly prepared?: PreparedSqliteReads;
  /** Set on PostgreSQL: lookups by a unique key run as named prepared statements. */
  private readonly preparedByKey?: PreparedPostgresReads;
  private readonly selects = new Map<string, string>();

  /** `reads`: PostgreSQL's prepared reads on a pool of their own (PreparedPostgresReads.onPool); on Knex's pool otherwise. */
  constructor(
    private readonly knex: Knex,
    reads?: PreparedPostgresReads,
  ) {
    this.prepared = PreparedSqliteReads.for(knex);
    this.preparedByKey = this.prepared ? undefined : (reads ?? PreparedPostgresReads.for(knex));
  }

  /** One INSERT; with mail, a transaction of it and the outbox rows (made from the new user when a function). */
  async addUser(email: string, hashedPassword: string, mail?: ChangeMessages<User>): Promise<User> {
    const insert = (db: Knex | Knex.Transaction) =>
      db('users')
        .insert({
          email,
          email_normalized: normalizeEmail(email),
          hashed_password: hashedPassword,
          created_at: Date.now(),
        })
        .returning('id');
    const rows = await this.write(email, () =>
      typeof mail === 'function' || mail?.length
        ? this.knex.transaction(async (trx) => {
            const inserted = await insert(trx);
            await insertOutboxMessages(trx, messagesOf(mail, newUser(Number((inserted[0] as { id: number }).id), email, hashedPassword)));
            return inserted;
          })
        : insert(this.knex),
    );
    return newUser(Number((rows[0] as { id: number }).id), email, hashedPassword);
  }

  async findUserBy(filter: UserFilter): Promise<User> {
    assertValidFilter(filter);
    const row = this.prepared || (this.preparedByKey && byUniqueKey(filter)) ? await this.findPrepared(filter) : await this.findBuilt(filter);
    if (!row) throw new NoResultFound();
    return toUser(row);
  }

  private async findBuilt(filter: UserFilter): Promise<Row | undefined> {
    const query = this.knex('users').select(SELECTED).orderBy('id').first();
    for (const [key, value] of Object.entries(filter)) {
      if (key === 'email' && typeof value === 'string') query.where('email_normalized', normalizeEmail(value));
      else if (value === null || value === undefined) query.whereNull(COLUMNS[key as UserAttribute]);
      else query.where(COLUMNS[key as UserAttribute], value);
    }
    return (await query) as Row | undefined;
  }

  /** The same query as findBuilt, its SQL kept per shape of filter, run as a prepared statement. */
  private findPrepared(filter: UserFilter): Promise<Row | undefined> | Row | undefined {
    const entries = Object.entries(filter);
    const conditions = entries.map(([key, value]) => {
      if (key === 'email' && typeof value === 'string') return 'email_normalized = ?';
      const column = COLUMNS[key as UserAttribute];
      return value === null || value === undefined ? `${column} IS NULL` : `${column} = ?`;
    });
    const shape = conditions.join(' AND ');
    let sql = this.selects.get(shape);
    if (!sql) {
      sql = `SELECT ${PREPARED_COLUMNS} FROM users WHERE ${shape} ORDER BY id LIMIT 1`;
      this.selects.set(shape, sql);
    }
    const bindings = entries
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key, value]) => (key === 'email' && typeof value === 'string' ? normalizeEmail(value) : value));
    return (this.prepared ?? this.preparedByKey)!.first<Row>(sql, bindings);
  }

  async updateUser(userId: number, changes: UserChanges): Promise<void> {
    assertValidChanges(changes);
    const user = await this.findUserBy({ id: userId });
    const update: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(changes)) update[COLUMNS[key as UserAttribute]] = value;
    if (typeof changes.email === 'string') update.email_normalized = normalizeEmail(changes.email);
    if (Object.keys(update).length === 0) return;
    await this.write(changes.email ?? user.email, () => this.knex('users').where('id', user.id).update(update));
  }

  async rehashPassword(userId: number, currentHash: string, newHash: string): Promise<boolean> {
    const changed = await this.knex('users').where({ id: userId, hashed_password: currentHash }).update({ hashed_password: newHash });
    return changed === 1;
  }

  async listUsers(page: UserPage): Promise<User[]> {
    const { limit, offset, afterId } = checkedPage(page);
    if (limit === 0) return [];
    const rows = (await this.knex('users').select(SELECTED).where('id', '>', afterId).orderBy('id').limit(limit).offset(offset)) as Row[];
    return rows.map(toUser);
  }

  /** Runs a write, turning a unique-email violation into the domain's error. */
  private async write<T>(email: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isUniqueViolation(error, 'email_normalized')) throw new UserAlreadyExistsError(email);
      throw error;
    }
  }
}

const UNIQUE_KEYS: ReadonlySet<string> = new Set(['id', 'email', 'resetToken']);

/** One unique column, given a value: one row at most, found by its index. */
function byUniqueKey(filter: UserFilter): boolean {
  const entries = Object.entries(filter);
  return entries.length === 1 && UNIQUE_KEYS.has(entries[0]![0]) && entries[0]![1] !== null && entries[0]![1] !== undefined;
}

export function toUser(row: Row): User {
  return {
    id: Number(row.id),
    email: String(row.email),
    hashedPassword: String(row.hashedPassword),
    resetToken: (row.resetToken as string | null) ?? null,
    resetTokenExpiresAt: toNumber(row.resetTokenExpiresAt),
    emailVerifiedAt: toNumber(row.emailVerifiedAt),
  };
}

// PostgreSQL returns bigint columns as strings.
export function toNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function isUniqueViolation(error: unknown, column: string): boolean {
  const { code, message, constraint } = error as { code?: string; message?: string; constraint?: string };
  if (code === '23505') return (constraint ?? '').includes(column);
  return /^SQLITE_CONSTRAINT/.test(code ?? '') && /UNIQUE/.test(message ?? '') && (message ?? '').includes(column);
}
