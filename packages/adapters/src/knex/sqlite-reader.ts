import type { Database } from 'better-sqlite3';

/**
 * The read-only companion of each better-sqlite3 connection of Knex's pool on a file in WAL
 * mode. While Knex holds a transaction open on the connection its uncommitted rows must not
 * be read, and a read through the pool would wait for the commit (a login's writes, a
 * password change): the companion reads the last committed rows at once instead, as WAL
 * lets a reader do beside a writer. It is opened with the connection, so both are on the
 * same file even if the path is later replaced, and closed with it.
 */
const readers = new WeakMap<object, Database>();

/** Opens the companion of `connection` when it can have one (a file in WAL mode); settings are its pragmas. */
export function openSqliteReader(connection: Database, settings: readonly string[]): void {
  if (connection.memory || readers.has(connection)) return;
  // In rollback-journal mode a reader is locked out by an open write transaction: on the same
  // thread it would wait out its busy timeout for a writer that cannot go on.
  if (String(connection.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return;
  const Driver = connection.constructor as new (filename: string, options: { readonly: boolean; fileMustExist: boolean }) => Database;
  const reader = new Driver(connection.name, { readonly: true, fileMustExist: true });
  try {
    for (const pragma of settings) if (!/^\s*journal_mode\b/i.test(pragma)) reader.pragma(pragma);
  } catch (error) {
    reader.close();
    throw error;
  }
  readers.set(connection, reader);
}

/** The open companion of `connection`, if it has one. */
export function sqliteReaderOf(connection: Database): Database | undefined {
  const reader = readers.get(connection);
  return reader?.open ? reader : undefined;
}

/** Closes the companion of a connection the pool is closing; nothing for one without. */
export function closeSqliteReader(connection: unknown): void {
  if (typeof connection !== 'object' || connection === null) return;
  const reader = readers.get(connection);
  if (!reader) return;
  readers.delete(connection);
  if (reader.open) reader.close();
}
