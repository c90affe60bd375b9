import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export const REQUEST_ID_HEADER = 'X-Request-Id';
// Node's name for it in request.headers, read there rather than through ctx.get.
const REQUEST_ID_LOWER_CASE = 'x-request-id';

// A client's id is kept only when it is short and plain, so that it cannot forge log lines.
const ACCEPTED_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

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

interface RequestState {
  requestId?: string;
  log?: Logger;
}

/**
 * The request's logger, each line carrying its id as `reqId`. It is built on first use:
 * a pino child (its bindings serialised and redacted) costs more than a request that
 * writes nothing at the configured level.
 */
export function requestLogger(ctx: Pick<Context, 'state'>, logger: Logger): Logger {
  const state = ctx.state as RequestState;
  if (state.requestId === undefined) return logger;
  return (state.log ??= logger.child({ reqId: state.requestId }));
}

/**
 * Outermost middleware: gives each request an id (the client's X-Request-Id or a new one,
 * echoed in the response), one log line when it ends and its metrics. It logs no header,
 * body, query or cookie. Lines below the logger's level are never built.
 */
export function observeRequests(logger: Logger, metrics: Metrics, routePaths: ReadonlySet<string>) {
  const refusals = new RetryLaterNotice(logger);
  return async function observeRequest(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    // Node's request and response themselves: Koa's delegating getters cost a call each.
    const { req, res } = ctx;
    const given = req.headers[REQUEST_ID_LOWER_CASE];
    const requestId = typeof given === 'string' && given !== '' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    // The first middleware: nothing has been sent.
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (logger.isLevelEnabled('debug')) requestLogger(ctx, logger).debug({ method: ctx.method }, 'request started');
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = routeOf(ctx, routePaths);
      const method = ctx.method;
      const status = res.statusCode;
      metrics.observeRequest(method, route, status, seconds);
      // A 503 is an answer as designed (load shed, a dependency away; Retry-After says when):
      // under a flood a line each would be the flood's cost, so its line is at info level
      // and the warning is one summary an interval.
      if (status === 503) refusals.count();
      const level = status >= 500 && status !== 503 ? 'error' : 'info';
      if (logger.isLevelEnabled(level)) {
        requestLogger(ctx, logger)[level]({ method, route, status, durationMs: Math.round(seconds * 1e4) / 10 }, 'request');
      }
    }
  };
}

/** Seconds between two warnings that requests were answered 503. */
export const RETRY_LATER_NOTICE_SECONDS = 10;

/**
 * One warning for the 503s of an interval: the first as it happens, then at most one
 * every RETRY_LATER_NOTICE_SECONDS with the count since the last, whatever the rate.
 */
class RetryLaterNotice {
  private unreported = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly logger: Logger) {}

  count(): void {
    this.unreported++;
    const now = performance.now();
    if (now - this.lastAt < RETRY_LATER_NOTICE_SECONDS * 1000) return;
    if (this.logger.isLevelEnabled('warn')) {
      this.logger.warn({ count: this.unreported, sinceSeconds: Number.isFinite(this.lastAt) ? Math.round((now - this.lastAt) / 1000) : 0 }, 'requests answered 503 (retry later)');
    }
    this.lastAt = now;
    this.unreported = 0;
  }
}
