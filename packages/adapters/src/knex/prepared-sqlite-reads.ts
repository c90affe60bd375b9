import type { Database, Statement } from 'better-sqlite3';
import type { Knex } from 'knex';

interface PooledClient {
  acquireConnection(): Promise<Database>;
  releaseConnection(connection: Database): Promise<unknown>;
}

/**
 * Reads run as prepared better-sqlite3 statements on the connection of Knex's own pool.
 * A session check is one indexed lookup; building it with Knex's query builder and
 * preparing it anew each time cost several times the lookup itself (see BENCHMARKS.md).
 * Taking the connection from the pool keeps reads ordered with Knex's writes and
 * transactions.
 */
export class PreparedSqliteReads {
  private readonly statements = new WeakMap<Database, Map<string, Statement>>();

  private constructor(private readonly client: PooledClient) {}

  /** Prepared reads for a Knex on the better-sqlite3 client; undefined on any other. */
  static for(knex: Knex): PreparedSqliteReads | undefined {
    const client = knex.client as { config?: { client?: unknown } } & PooledClient;
    return client.config?.client === 'better-sqlite3' ? new PreparedSqliteReads(client) : undefined;
  }

  /** The first row the query returns, if any. */
  async first<Row>(sql: string, bindings: readonly unknown[]): Promise<Row | undefined> {
    const connection = await this.client.acquireConnection();
    try {
      return this.statement(connection, sql).get(...bindings) as Row | undefined;
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
