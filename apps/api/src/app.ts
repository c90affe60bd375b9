import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { corsFor } from './cors';
import { middlewareOf } from './endpoint';
import { exactRoutes } from './exact-routes';
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { Metrics } from './metrics';
import { openApiDocument } from './openapi-document';
import { Readiness } from './readiness';
import { guardRequests } from './request-guards';
import { observeRequests, requestLogger } from './request-observer';
import { ENDPOINTS } from './routes';
import type { RouteDeps } from './routes/context';
import type { PageSettings } from './pages/page-settings';
import { PAGE_PATHS, createPagesRouter } from './pages/pages-router';

export interface HttpSettings {
  /** Take the client address and protocol from X-Forwarded-* headers. */
  trustProxy: boolean;
  /** With trustProxy: how many proxies append to X-Forwarded-For (the client writes the rest). */
  proxyHops: number;
  /** Other origins whose pages may send cookie-authenticated changes. */
  allowedOrigins: readonly string[];
  /** Largest accepted body, e.g. "16kb". */
  bodyLimit: string;
  /** Origins answered with CORS headers, credentials included. */
  corsOrigins: readonly string[];
}

export const DEFAULT_HTTP_SETTINGS: HttpSettings = { trustProxy: false, proxyHops: 1, allowedOrigins: [], bodyLimit: '16kb', corsOrigins: [] };

export interface AppDeps extends RouteDeps {
  http?: Partial<HttpSettings>;
  logError?: (error: unknown) => void;
  /** JSON logger of requests and errors; silent when not given. */
  logger?: Logger;
  metrics?: Metrics;
  /** What GET /readyz checks; without it, only whether the process is draining. */
  readiness?: Readiness;
  /**
   * Which routes this app serves: every one (default), all but the admin API (the public
   * listener when ADMIN_PORT is set), or the admin API alone (the ADMIN_PORT listener).
   */
  routes?: 'all' | 'public' | 'admin';
  /** The hosted pages (/login, /account, …), mounted when given (HOSTED_PAGES). */
  pages?: PageSettings;
}

/** Every endpoint of the API, in one router (also read by the OpenAPI test). */
export function createRouter(deps: AppDeps & Required<Pick<AppDeps, 'metrics' | 'readiness'>>): Router {
  const router = new Router();
  const handlerDeps = { ...deps, openApiDocument };
  const routes = deps.routes ?? 'all';
  for (const endpoint of ENDPOINTS) {
    if (routes === 'public' && endpoint.admin) continue;
    if (routes === 'admin' && !endpoint.admin) continue;
    router[endpoint.method](endpoint.path, middlewareOf(endpoint, handlerDeps));
  }
  return router;
}

/** The paths the router serves (each once, whatever its methods). */
export function routePaths(router: Router): Set<string> {
  return new Set(router.stack.map((layer) => String(layer.path)));
}

/** The Koa app: request ids, logs and metrics, guards with body parsing and error mapping, and every route. */
export function createApp(deps: AppDeps): Koa {
  const http = { ...DEFAULT_HTTP_SETTINGS, ...deps.http };
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? new Metrics();
  const readiness = deps.readiness ?? new Readiness(() => Promise.resolve());
  // Only the last proxyHops entries of X-Forwarded-For were written by proxies we run.
  const app = new Koa({ proxy: http.trustProxy, maxIpsCount: http.proxyHops });
  app.on('error', (error: unknown, ctx?: Koa.Context) => {
    if (deps.logError) deps.logError(error);
    else (ctx ? requestLogger(ctx, logger) : logger).error({ err: error }, 'request failed');
  });
  const router = createRouter({ ...deps, metrics, readiness });
  const pages = deps.pages ? createPagesRouter({ auth: deps.auth, cookie: deps.cookie, settings: deps.pages }) : undefined;
  app.use(observeRequests(logger, metrics, new Set([...routePaths(router), ...(pages ? PAGE_PATHS : [])])));
  const cors = corsFor(http.corsOrigins);
  if (cors) app.use(cors);
  app.use(
    guardRequests(
      // A CORS origin is trusted to send cookie-authenticated changes as well.
      [...http.allowedOrigins, ...http.corsOrigins],
      bodyParser({ enableTypes: ['json', 'form'], strict: true, jsonLimit: http.bodyLimit, formLimit: http.bodyLimit }),
    ),
  );
  app.use(exactRoutes(router, new Set(pages ? PAGE_PATHS : [])));
  if (pages) app.use(pages.routes());
  app.use(router.routes());
  app.use(unknownMethodIsNotAllowed);
  if (pages) app.use(pages.allowedMethods());
  app.use(router.allowedMethods());
  return app;
}

// The router answers 501 to methods it has never heard of; to a client that is the same
// mistake as any other wrong method, and a 5xx would blame the server.
async function unknownMethodIsNotAllowed(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  await next();
  if (ctx.status === 501) ctx.status = 405;
}
