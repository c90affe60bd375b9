import type { Database, Statement } from 'better-sqlite3';
import type { Knex } from 'knex';
import { translateDatabaseError } from './database-errors';
import { sqliteReaderOf } from './sqlite-reader';

interface PooledClient {
  acquireConnection(): Promise<Database>;
  releaseConnection(connection: Database): Promise<unknown>;
}

/**
 * Reads run as prepared better-sqlite3 statements on the one connection of Knex's pool.
 * A session check is one indexed lookup; building it with Knex's query builder, preparing
 * it anew and taking the connection through the pool (promises, a timer per acquire) cost
 * several times the lookup itself (see BENCHMARKS.md).
 *
 * better-sqlite3 is synchronous, so a read on the connection cannot interleave with a
 * query of Knex's. While Knex holds a transaction open on it (its uncommitted rows must not
 * be seen) the read runs on the connection's read-only companion on the same file, which
 * sees the last committed rows (sqlite-reader.ts); without one (in memory) it waits for
 * the connection through the pool, as it does when the connection was replaced.
 */
export class PreparedSqliteReads {
  private readonly statements = new WeakMap<Database, Map<string, Statement>>();
  private connection?: Database;

  private constructor(private readonly client: PooledClient) {}

  /** Prepared reads for a Knex on the better-sqlite3 client; undefined on any other. */
  static for(knex: Knex): PreparedSqliteReads | undefined {
    const client = knex.client as { config?: { client?: unknown } } & PooledClient;
    return client.config?.client === 'better-sqlite3' ? new PreparedSqliteReads(client) : undefined;
  }

  /** The first row the query returns, if any. */
  first<Row>(sql: string, bindings: readonly unknown[]): Promise<Row | undefined> | Row | undefined {
    const connection = this.connection;
    const free = connection?.open ? (connection.inTransaction ? sqliteReaderOf(connection) : connection) : undefined;
    if (free) {
      try {
        return this.statement(free, sql).get(...bindings) as Row | undefined;
      } catch (error) {
        throw translateDatabaseError(error, sql);
      }
    }
    return this.firstThroughPool(sql, bindings);
  }

  private async firstThroughPool<Row>(sql: string, bindings: readonly unknown[]): Promise<Row | undefined> {
    const connection = await this.client.acquireConnection();
    try {
      this.connection = connection;
      return this.statement(connection, sql).get(...bindings) as Row | undefined;
    } catch (error) {
      throw translateDatabaseError(error, sql);
    } finally {
      await this.client.releaseConnection(connection);
    }
  }

  private statement(connection: Database, sql: string): Statement {
    let prepared = this.statements.get(connection);
    if (!prepared) this.statements.set(connection, (prepared = new Map()));
    let statement = prepared.get(sql);
    if (!statement) prepared.set(sql, (statement = connection.prepare(sql)));
    return statement;
  }
}
