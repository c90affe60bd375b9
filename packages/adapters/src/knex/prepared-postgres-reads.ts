import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import { DependencyUnavailableError } from '@latchkey/domain';
import { connectionLost, translateDatabaseError } from './database-errors';
import { postgresConnectionSettings } from './connection';

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
  query(config: QueryConfig, callback: (error: Error | undefined, result: QueryResult) => void): void;
  /** Knex's mark of a connection its pool must destroy rather than lend again. */
  __knex__disposed?: unknown;
  /** pg-pool's: back to the pool, or (given an error) closed and dropped from it. */
  release?(error?: unknown): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a pg.Pool this class uses. */
interface PgPool {
  connect(): Promise<PgConnection>;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly totalCount: number;
  end(): Promise<void>;
  on(event: 'error' | 'connect', listener: (argument: never) => void): unknown;
}

/** Where the reads take their connections from, and give them back (`broken`: to be closed). */
interface ConnectionSource {
  acquire(): Promise<PgConnection>;
  release(connection: PgConnection, broken?: unknown): void;
  /**
   * The next acquire cannot wait past the deadline without a timer of the reads' own: the
   * pool's timeout bounds it, or a connection is free for it.
   */
  boundsWait(): boolean;
  close(): Promise<void>;
}

export interface ReadPoolOptions {
  /** Connections of the pool. */
  poolMax: number;
  /** The deadline of each read; DATABASE_TIMEOUT_MS. */
  timeoutMs: number;
  /** Where a connection's failure while idle is reported. */
  warn?: (message: string) => void;
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
 * Reads run as named prepared statements through `pg`. Knex's query builder (and its SQL
 * compiler) is skipped, and PostgreSQL parses and plans each statement once per connection
 * instead of once per lookup: pg sends Parse only the first time a connection sees a
 * statement's name, then Bind and Execute.
 *
 * The connections are those of a `pg.Pool` of the reads' own (`onPool`), or of Knex's pool
 * (`for`). pg-pool lends a connection for less than Knex's pool does (tarn keeps a pending
 * operation with a timeout of its own, events and a free-list entry per acquire), and the
 * cookie check is the hot path. Either way a connection held by an open transaction is
 * never lent here: a read sees only committed rows, as a query of Knex's would.
 *
 * Each read has one deadline, from taking a connection to the last row: the connection's
 * own `query_timeout`, else its `statement_timeout` (and a short grace for the server's
 * cancel to arrive), else DEFAULT_READ_DEADLINE_MS. Past it the read fails with
 * ReadDeadlineError (a 503) and a connection still waiting for its answer is closed, so
 * that no later read queues behind it.
 */
export class PreparedPostgresReads {
  private readonly names = new Map<string, QueryConfig>();

  private constructor(
    private readonly source: ConnectionSource,
    readonly deadlineMs: number,
    private readonly graceMs: number,
  ) {}

  /** Prepared reads for a Knex on PostgreSQL, on its pool; undefined on any other database. */
  static for(knex: Knex, deadlineMs?: number): PreparedPostgresReads | undefined {
    const client = knex.client as PooledClient;
    if (client.dialect !== 'postgresql') return undefined;
    const settings = client.connectionSettings;
    const [deadline, grace] = deadlineMs !== undefined ? [deadlineMs, 0] : deadlineOf(settings?.query_timeout, settings?.statement_timeout);
    const poolWait = positiveMs(client.config?.acquireConnectionTimeout);
    return new PreparedPostgresReads(knexSource(client, poolWait !== undefined && poolWait <= deadline), deadline, grace);
  }

  /**
   * Prepared reads on a `pg.Pool` of their own, to the database of a `postgres://` URL,
   * with the deadlines of Knex's connections (createKnex's, given the same timeout): the
   * server's statement_timeout, the client's a little later, and a connection attempt's
   * timeout; a read that finds no connection free waits within its deadline. `close` ends
   * the pool.
   */
  static onPool(databaseUrl: string, options: ReadPoolOptions): PreparedPostgresReads {
    const settings = postgresConnectionSettings(databaseUrl, options.timeoutMs);
    const [deadline, grace] = deadlineOf(settings.query_timeout, settings.statement_timeout);
    const pg = createRequire(import.meta.url)('pg') as { Pool: new (config: object) => PgPool; Client: new (config: object) => object };
    const { connectionTimeoutMillis, ...rest } = settings;
    // The connection attempt keeps its timeout; the pool is given none, or it would arm a
    // timer for every acquire, free connection or not: a wait is bounded by the reads' own.
    class BoundedClient extends pg.Client {
      constructor(config: object) {
        super({ ...config, connectionTimeoutMillis });
      }
    }
    const pool = new pg.Pool({ ...rest, max: options.poolMax, Client: BoundedClient });
    return new PreparedPostgresReads(new PgPoolSource(pool, options.poolMax, deadline, options.warn), deadline, grace);
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

  /** Ends the reads' own pool (their connections close); nothing for reads on Knex's pool. */
  close(): Promise<void> {
    return this.source.close();
  }

  /**
   * The deadline is kept by the timers that are there anyway: the pool's wait for a
   * connection (when its timeout is within the deadline, or a connection is free; a timer
   * of this class's otherwise) and pg's query_timeout, given what is left of the deadline.
   */
  private query(sql: string, bindings: readonly unknown[]): Promise<QueryResult> {
    const started = Date.now();
    return this.acquire().then(
      (connection) =>
        new Promise<QueryResult>((resolve, reject) => {
          const remaining = Math.max(1, this.deadlineMs - (Date.now() - started)) + this.graceMs;
          connection.query({ ...this.statement(sql), values: bindings, query_timeout: remaining }, (error, result) => {
            if (!error) {
              this.source.release(connection);
              return resolve(result);
            }
            const readTimeout = isReadTimeout(error);
            this.source.release(connection, readTimeout || connectionLost(error) ? error : undefined);
            // A connection lost mid-read (the server stopped) is an outage too, not a bug.
            reject(readTimeout || isStatementTimeout(error) ? new ReadDeadlineError(this.deadlineMs, error) : translateDatabaseError(error, sql));
          });
        }),
    );
  }

  private acquire(): Promise<PgConnection> {
    const { source } = this;
    if (source.boundsWait()) {
      return source.acquire().catch((error: unknown) => {
        throw isWaitTimeout(error) ? new ReadDeadlineError(this.deadlineMs, error) : translateDatabaseError(error);
      });
    }
    const acquiring = source.acquire();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The connection, should it come after all, goes back to the pool unused.
        acquiring.then((connection) => source.release(connection)).catch(() => {});
        reject(new ReadDeadlineError(this.deadlineMs));
      }, this.deadlineMs);
    });
    return Promise.race([acquiring, late])
      .catch((error: unknown) => {
        throw translateDatabaseError(error);
      })
      .finally(() => clearTimeout(timer));
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

/** The deadline of a read and the grace pg gives the server's cancel, from a connection's settings. */
function deadlineOf(queryTimeout: unknown, statementTimeout: unknown): [number, number] {
  const clientSide = positiveMs(queryTimeout);
  if (clientSide) return [clientSide, 0];
  const serverSide = positiveMs(statementTimeout);
  if (serverSide) return [serverSide, SERVER_CANCEL_GRACE_MS];
  return [DEFAULT_READ_DEADLINE_MS, 0];
}

/** Connections of Knex's pool; one marked disposed is destroyed by it rather than lent again. */
function knexSource(client: PooledClient, boundsWait: boolean): ConnectionSource {
  return {
    boundsWait: () => boundsWait,
    acquire: () => client.acquireConnection(),
    release: (connection, broken) => {
      if (broken !== undefined) connection.__knex__disposed = broken;
      // Knex's release only puts the connection back on tarn's free list; it does not fail.
      void client.releaseConnection(connection);
    },
    // Knex's pool is closed with Knex.
    close: async () => {},
  };
}

interface Waiter {
  resolve(connection: PgConnection): void;
  reject(error: Error): void;
  deadlineAt: number;
}

/**
 * Connections of a pg.Pool; one given back broken is closed and dropped from it. A read that
 * finds every connection lent waits in a queue of this source's, and a connection given back
 * while reads wait goes to the first of them without passing through the pool: no timer
 * per wait (one for the queue, at its first read's deadline, which is the earliest), no
 * idle timer, and no tick of the pool's queue per read.
 */
class PgPoolSource implements ConnectionSource {
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: PgPool,
    private readonly max: number,
    private readonly deadlineMs: number,
    warn: (message: string) => void = () => {},
  ) {
    // A connection that fails while idle is dropped by the pool, which then reports it here
    // (unheard, the event would end the process); one that fails while lent fails its read,
    // and this listener, attached once per connection, keeps that from being unheard too.
    pool.on('error', (error: Error) => warn(`PostgreSQL read connection closed: ${error.message}`));
    pool.on('connect', (connection: PgConnection) => connection.on('error', () => {}));
  }

  /** Every wait is bounded here, a new connection's attempt by its own timeout. */
  boundsWait(): boolean {
    return true;
  }

  acquire(): Promise<PgConnection> {
    const { pool } = this;
    // pg-pool lends its free connections in order of asking, and opens one while below its size.
    if (this.waiters.length === 0 && (pool.idleCount > pool.waitingCount || pool.totalCount < this.max)) return pool.connect();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, deadlineAt: Date.now() + this.deadlineMs });
      this.timer ??= setTimeout(() => this.expire(), this.deadlineMs).unref();
    });
  }

  release(connection: PgConnection, broken?: unknown): void {
    if (broken !== undefined) {
      connection.release!(broken);
      // Its place in the pool is free: a new connection for the first read waiting.
      const waiter = this.next();
      if (waiter) this.pool.connect().then(waiter.resolve, waiter.reject);
      return;
    }
    const waiter = this.next();
    if (waiter) waiter.resolve(connection);
    else connection.release!();
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    for (const waiter of this.waiters.splice(0)) waiter.reject(new ReadDeadlineError(this.deadlineMs));
    await this.pool.end();
  }

  /** The first waiting read still within its deadline; those past it fail. */
  private next(): Waiter | undefined {
    const now = Date.now();
    let waiter = this.waiters.shift();
    while (waiter && waiter.deadlineAt <= now) {
      waiter.reject(new ReadDeadlineError(this.deadlineMs));
      waiter = this.waiters.shift();
    }
    return waiter;
  }

  /** Fails the reads whose deadline has come; the timer then waits for the next first one's. */
  private expire(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.waiters.length > 0 && this.waiters[0]!.deadlineAt <= now) this.waiters.shift()!.reject(new ReadDeadlineError(this.deadlineMs));
    if (this.waiters.length > 0) this.timer = setTimeout(() => this.expire(), this.waiters[0]!.deadlineAt - now).unref();
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

/** A pool's timeout waiting for a connection, or for a new one to open. */
function isWaitTimeout(error: unknown): boolean {
  const { name, message } = error as { name?: unknown; message?: unknown };
  return name === 'KnexTimeoutError' || /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)/.test(String(message));
}

/** The server cancelled the statement at its statement_timeout: the connection is fine. */
function isStatementTimeout(error: unknown): boolean {
  return (error as { code?: unknown }).code === '57014';
}
