import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { DependencyUnavailableError } from '@latchkey/domain';
import { translateDatabaseError } from './database-errors';

interface QueryConfig {
  name: string;
  text: string;
  values: readonly unknown[];
  query_timeout?: number;
}

interface QueryResult {
  rows: unknown[];
  rowCount: number | null;
}

/** The part of a pg Client this class uses. */
interface PgConnection {
  query(config: QueryConfig): Promise<QueryResult>;
  /** Knex's mark of a connection its pool must destroy rather than lend again. */
  __knex__disposed?: unknown;
}

interface PooledClient {
  dialect?: string;
  config?: { acquireConnectionTimeout?: unknown };
  connectionSettings?: { query_timeout?: unknown; statement_timeout?: unknown };
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
}

/** The deadline of a read when the connection's settings give none. */
export const DEFAULT_READ_DEADLINE_MS = 5000;

// Seconds a client is told to wait after a read missed its deadline.
const RETRY_AFTER_SECONDS = 1;

// When the deadline is the server's statement_timeout, pg waits this much longer, so that
// the server's cancel (which keeps the connection) normally arrives before pg gives up.
const SERVER_CANCEL_GRACE_MS = 100;

/** A read that missed its deadline: the database is overloaded or unreachable. */
export class ReadDeadlineError extends DependencyUnavailableError {
  constructor(
    readonly deadlineMs: number,
    cause?: unknown,
  ) {
    super(RETRY_AFTER_SECONDS, cause, `database read took longer than ${deadlineMs} ms`);
  }
}

/**
 * Reads run as named prepared statements through `pg`, on a connection of Knex's pool.
 * Knex's query builder (and its SQL compiler) is skipped, and PostgreSQL parses and plans
 * each statement once per connection instead of once per lookup: pg sends Parse only the
 * first time a connection sees a statement's name, then Bind and Execute.
 *
 * Each read has one deadline, from taking a connection to the last row: the connection's
 * own `query_timeout`, else its `statement_timeout` (and a short grace for the server's
 * cancel to arrive), else DEFAULT_READ_DEADLINE_MS. Past it the read fails with
 * ReadDeadlineError (a 503) and a connection still waiting for its answer is marked for
 * Knex's pool to destroy, so that no later read queues behind it.
 *
 * Connections come from Knex's pool, so a connection held by an open transaction is never
 * lent here: a read sees only committed rows, as a query of Knex's would.
 */
export class PreparedPostgresReads {
  private readonly names = new Map<string, QueryConfig>();
  /** The pool gives up waiting for a connection within the deadline: its timer is the wait's. */
  private readonly poolBoundsWait: boolean;

  private constructor(
    private readonly client: PooledClient,
    readonly deadlineMs: number,
    private readonly graceMs: number,
  ) {
    const poolWait = positiveMs(client.config?.acquireConnectionTimeout);
    this.poolBoundsWait = poolWait !== undefined && poolWait <= deadlineMs;
  }

  /** Prepared reads for a Knex on PostgreSQL; undefined on any other database. */
  static for(knex: Knex, deadlineMs?: number): PreparedPostgresReads | undefined {
    const client = knex.client as PooledClient;
    if (client.dialect !== 'postgresql') return undefined;
    if (deadlineMs !== undefined) return new PreparedPostgresReads(client, deadlineMs, 0);
    const settings = client.connectionSettings;
    const clientSide = positiveMs(settings?.query_timeout);
    if (clientSide) return new PreparedPostgresReads(client, clientSide, 0);
    const serverSide = positiveMs(settings?.statement_timeout);
    if (serverSide) return new PreparedPostgresReads(client, serverSide, SERVER_CANCEL_GRACE_MS);
    return new PreparedPostgresReads(client, DEFAULT_READ_DEADLINE_MS, 0);
  }

  /** The first row the query (with `?` placeholders) returns, if any. */
  async first<Row>(sql: string, bindings: readonly unknown[]): Promise<Row | undefined> {
    return (await this.query(sql, bindings)).rows[0] as Row | undefined;
  }

  /**
   * Runs one statement that changes rows (a conditional UPDATE), prepared and with the
   * same deadline as a read; how many rows it changed. Never inside a transaction of Knex's:
   * it is its own atomic step.
   */
  async run(sql: string, bindings: readonly unknown[]): Promise<number> {
    return (await this.query(sql, bindings)).rowCount ?? 0;
  }

  /**
   * The deadline is kept by the timers that are there anyway: the pool's wait for a
   * connection (when its acquire timeout is within the deadline; a timer of this class's
   * otherwise) and pg's query_timeout, given what is left of the deadline. No timer or
   * promise race is added to a read whose pool already bounds its wait.
   */
  private async query(sql: string, bindings: readonly unknown[]): Promise<QueryResult> {
    const started = Date.now();
    const connection = await this.acquire();
    const remaining = Math.max(1, this.deadlineMs - (Date.now() - started)) + this.graceMs;
    try {
      return await connection.query({ ...this.statement(sql), values: bindings, query_timeout: remaining });
    } catch (error) {
      if (isReadTimeout(error)) connection.__knex__disposed = error;
      // A connection lost mid-read (the server stopped) is an outage too, not a bug.
      else if (!isStatementTimeout(error)) throw translateDatabaseError(error, sql);
      throw new ReadDeadlineError(this.deadlineMs, error);
    } finally {
      await this.client.releaseConnection(connection);
    }
  }

  private acquire(): Promise<PgConnection> {
    if (this.poolBoundsWait) {
      return this.client.acquireConnection().catch((error: unknown) => {
        throw (error as { name?: unknown }).name === 'KnexTimeoutError' ? new ReadDeadlineError(this.deadlineMs, error) : error;
      });
    }
    const acquiring = this.client.acquireConnection();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The connection, should it come after all, goes back to the pool unused.
        acquiring.then((connection) => this.client.releaseConnection(connection)).catch(() => {});
        reject(new ReadDeadlineError(this.deadlineMs));
      }, this.deadlineMs);
    });
    return Promise.race([acquiring, late]).finally(() => clearTimeout(timer));
  }

  /** One statement per SQL text, named after it: two readers on one pool never clash. */
  private statement(sql: string): QueryConfig {
    let statement = this.names.get(sql);
    if (!statement) {
      const text = positional(sql);
      const name = `latchkey_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(sql, (statement = { name, text, values: [] }));
    }
    return statement;
  }
}

function positiveMs(value: unknown): number | undefined {
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** `?` placeholders (the repository's, as Knex writes them) to PostgreSQL's `$1`, `$2`, … */
function positional(sql: string): string {
  let count = 0;
  return sql.replace(/\?/g, () => `$${++count}`);
}

/** pg gave up waiting: the server may still be running the statement on this connection. */
function isReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/** The server cancelled the statement at its statement_timeout: the connection is fine. */
function isStatementTimeout(error: unknown): boolean {
  return (error as { code?: unknown }).code === '57014';
}
