import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../server-process';

/** What Latchkey's GET / answers: the same 23 bytes of JSON from every baseline. */
export const ROOT_ANSWER = { message: 'Bienvenue' };

export const BASELINES = ['node', 'koa'] as const;
export type Baseline = (typeof BASELINES)[number];

// The API's own copy of Koa, so that the baseline is the version Latchkey runs on.
interface KoaApp {
  use(middleware: (ctx: { body: unknown }) => void): KoaApp;
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

/** Started by the bench with BASELINE=node|koa, HOST and PORT in its environment. */
function main(): void {
  const kind = process.env.BASELINE;
  if (kind !== 'node' && kind !== 'koa') throw new Error(`BASELINE must be one of ${BASELINES.join(', ')}`);
  const server = kind === 'koa' ? bareKoa() : rawNode();
  server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  // Keep-alive connections the load generator left open would hold close() forever.
  process.on('SIGTERM', () => server.closeAllConnections());
}

main();
