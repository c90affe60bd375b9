import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from './logger';
import type { LoginOutcome, Metrics } from './metrics';

export const REQUEST_ID_HEADER = 'X-Request-Id';

// A client's id is kept only when it is short and plain, so that it cannot forge log lines.
const ACCEPTED_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

const LOGIN_OUTCOMES: Record<number, LoginOutcome> = { 200: 'success', 401: 'failure', 429: 'throttled' };

/**
 * The route template that answered, else the path when it is one of the routes' (a body
 * refused before routing), else "unmatched": never a raw URL, which may carry a secret
 * and would give the metrics unbounded labels.
 */
export function routeOf(ctx: Context, routePaths: ReadonlySet<string>): string {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof route === 'string') return route;
  return routePaths.has(ctx.path) ? ctx.path : 'unmatched';
}

/**
 * Outermost middleware: gives each request an id (the client's X-Request-Id or a new one,
 * echoed in the response), a child logger in ctx.state.log, one log line when it ends
 * and its metrics. It logs no header, body, query or cookie.
 */
export function observeRequests(logger: Logger, metrics: Metrics, routePaths: ReadonlySet<string>) {
  return async function observeRequest(ctx: Context, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    const given = ctx.get(REQUEST_ID_HEADER);
    const requestId = ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ reqId: requestId });
    ctx.set(REQUEST_ID_HEADER, requestId);
    (ctx.state.log as Logger).debug({ method: ctx.method }, 'request started');
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(ctx, routePaths);
      const status = ctx.status;
      metrics.observeRequest(ctx.method, route, status, seconds);
      if (ctx.method === 'POST' && route === '/sessions' && LOGIN_OUTCOMES[status]) metrics.countLogin(LOGIN_OUTCOMES[status]);
      const line = { method: ctx.method, route, status, durationMs: Math.round(seconds * 1e4) / 10 };
      (ctx.state.log as Logger)[status >= 500 ? 'error' : 'info'](line, 'request');
    }
  };
}
