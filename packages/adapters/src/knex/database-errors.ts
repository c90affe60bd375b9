import { DependencyUnavailableError } from '@latchkey/domain';

/** Seconds a client is asked to wait while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * A database error stripped of what a query carried: Knex writes the SQL with its bound
 * values (a bcrypt hash, an email, an address) into the message and onto the error, and
 * PostgreSQL's `detail` repeats a row's values. This keeps the driver's own message, the
 * statement with its placeholders and the codes that tell errors apart, and nothing else.
 */
export class DatabaseError extends Error {
  readonly code?: string;
  /** The constraint a PostgreSQL error names (how a unique violation is told apart). */
  readonly constraint?: string;
  /** The statement, placeholders only. */
  readonly sql?: string;

  constructor(message: string, fields: { code?: string; constraint?: string; sql?: string; stack?: string }) {
    super(message);
    this.name = 'DatabaseError';
    if (fields.code !== undefined) this.code = fields.code;
    if (fields.constraint !== undefined) this.constraint = fields.constraint;
    if (fields.sql !== undefined) this.sql = fields.sql;
    if (fields.stack) this.stack = `${this.name}: ${message}${fields.stack}`;
  }
}

interface DriverError {
  message?: unknown;
  code?: unknown;
  constraint?: unknown;
  stack?: unknown;
  name?: unknown;
  errors?: unknown;
}

/** Connection-level failures: the connection that saw one must not be used again. */
const LOST_CONNECTION_MESSAGES =
  /Connection terminated|Query read timeout|timeout expired|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|Client was closed and is not queryable/i;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** SQLite: disk full, locked past the busy timeout, I/O errors, a file it cannot open or write. */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN|PROTOCOL|NOMEM)/;
/**
 * PostgreSQL SQLSTATEs: 08 connection exceptions, 53 insufficient resources (disk full, out
 * of memory, too many connections), 57P01–57P03 shutdown and start-up, 57014 a statement
 * cancelled by statement_timeout, 55P03 a lock not obtained in time.
 */
const PG_UNAVAILABLE = /^(08...|53...|57P0[1-3]|57014|55P03)$/;

/**
 * The one translation of a driver's error: an outage becomes DependencyUnavailableError
 * (answered 503 with Retry-After), anything else a DatabaseError without bound values.
 * Errors the domain raised already pass through.
 */
export function translateDatabaseError(error: unknown, sql?: string): Error {
  if (error instanceof DependencyUnavailableError || error instanceof DatabaseError) return error;
  const safe = sanitized(error, sql);
  if (isUnavailable(error)) return new DependencyUnavailableError(DATABASE_RETRY_AFTER_SECONDS, safe, 'The database is unavailable; try again later');
  return safe;
}

/** True when the connection that raised this error should be closed rather than reused. */
export function connectionLost(error: unknown): boolean {
  const { message, code } = error as DriverError;
  return LOST_CONNECTION_MESSAGES.test(String(message ?? '')) || NETWORK_CODES.has(String(code ?? ''));
}

function isUnavailable(error: unknown): boolean {
  const { code, name, errors } = (error ?? {}) as DriverError;
  const text = String(code ?? '');
  // Knex's and its pool's (tarn) timeouts waiting for a connection.
  if (name === 'KnexTimeoutError' || error instanceof Error && error.constructor.name === 'TimeoutError' || connectionLost(error)) return true;
  if (SQLITE_UNAVAILABLE.test(text) || PG_UNAVAILABLE.test(text)) return true;
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  return Array.isArray(errors) && errors.some((inner) => isUnavailable(inner));
}

function sanitized(error: unknown, sql?: string): DatabaseError {
  const { message, code, constraint, stack } = (error ?? {}) as DriverError;
  let text = typeof message === 'string' ? message : String(error);
  // Knex prefixes the driver's message with the statement: `<sql> - <message>`.
  if (sql && text.startsWith(`${sql} - `)) text = text.slice(sql.length + 3);
  return new DatabaseError(text, {
    code: typeof code === 'string' ? code : undefined,
    constraint: typeof constraint === 'string' ? constraint : undefined,
    sql,
    stack: framesOf(stack),
  });
}

// The header of a stack repeats the message as Knex rewrote it: keep only the frames.
function framesOf(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const at = stack.indexOf('\n    at ');
  return at === -1 ? undefined : stack.slice(at);
}
