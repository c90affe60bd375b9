import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../server-process';

/** What Latchkey's GET / answers: the same 23 bytes of JSON from every baseline. */
export const ROOT_ANSWER = { message: 'Bienvenue' };

export const BASELINES = ['node', 'koa', 'pg'] as const;
export type Baseline = (typeof BASELINES)[number];

interface KoaContext {
  body: unknown;
  status: number;
  path: string;
  get(field: string): string;
}
// The API's own copy of Koa, so that the baseline is the version Latchkey runs on.
interface KoaApp {
  use(middleware: (ctx: KoaContext) => unknown): KoaApp;
  callback(): Parameters<typeof createServer>[1] & object;
}
const Koa = createRequire(join(ROOT, 'apps/api/package.json'))('koa') as new () => KoaApp;

/** The limit of the framework: Koa with one middleware and no router. */
function bareKoa(): Server {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = ROOT_ANSWER;
  });
  return createServer(app.callback());
}

/** The limit of Node itself: node:http answering the same body and content type. */
function rawNode(): Server {
  return createServer((_request, response) => {
    const body = JSON.stringify(ROOT_ANSWER);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(body));
    response.end(body);
  });
}

// The adapters' copy of pg (node-postgres), the driver Latchkey's PostgreSQL adapter runs on.
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Array<{ email: string }> }>;
}
const pg = createRequire(join(ROOT, 'packages/adapters/package.json'))('pg') as { Pool: new (config: object) => PgPool };

// The one statement a cookie check needs: the session by its unique digest joined to its user,
// the same columns Latchkey's check reads (pg parses each of them).
const SESSION_USER = {
  name: 'bench_ideal_session_user',
  text:
    'SELECT s.id, s.user_id, s.secret_digest, s.created_at, s.last_seen_at, s.ip, s.user_agent, s.strength, ' +
    'u.id AS uid, u.email, u.hashed_password, u.reset_token, u.reset_token_expires_at, u.email_verified_at ' +
    'FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_digest = $1',
};

/**
 * The limit of a cookie check on PostgreSQL: bare Koa, the session cookie's SHA-256 and one
 * named prepared SELECT through a pg Pool of Latchkey's size, answering {"email": …} —
 * no router, no validation, no deadline, no expiry check, no metrics. GET / answers as
 * the other baselines do.
 */
function idealPostgres(): Server {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
  const app = new Koa();
  app.use(async (ctx) => {
    // GET / says it is up, as every server the bench starts does.
    if (ctx.path === '/') return void (ctx.body = ROOT_ANSWER);
    const secret = /(?:^|;\s*)session_id=([^;]*)/.exec(ctx.get('cookie'))?.[1];
    const digest = createHash('sha256').update(secret ?? '', 'utf8').digest('hex');
    const { rows } = await pool.query({ ...SESSION_USER, values: [digest] });
    if (rows[0]) ctx.body = { email: rows[0].email };
    else ctx.status = 403;
  });
  return createServer(app.callback());
}

/** Started by the bench with BASELINE=node|koa|pg (pg: DATABASE_URL), HOST and PORT in its environment. */
function main(): void {
  const kind = process.env.BASELINE;
  if (!(BASELINES as readonly string[]).includes(kind ?? '')) throw new Error(`BASELINE must be one of ${BASELINES.join(', ')}`);
  const server = kind === 'pg' ? idealPostgres() : kind === 'koa' ? bareKoa() : rawNode();
  server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  // Keep-alive connections the load generator left open would hold close() forever.
  process.on('SIGTERM', () => server.closeAllConnections());
}

main();
