import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { handleErrors } from './http-errors';
import { requireSupportedBody, sameOriginForCookies } from './request-guards';
import type { RouteDeps } from './routes/context';
import { profileRoutes } from './routes/profile';
import { resetPasswordRoutes } from './routes/reset-password';
import { rootRoutes } from './routes/root';
import { sessionsRoutes } from './routes/sessions';
import { usersRoutes } from './routes/users';

export interface HttpSettings {
  /** Take the client address and protocol from X-Forwarded-* headers. */
  trustProxy: boolean;
  /** Other origins whose pages may send cookie-authenticated changes. */
  allowedOrigins: readonly string[];
  /** Largest accepted body, e.g. "16kb". */
  bodyLimit: string;
}

export const DEFAULT_HTTP_SETTINGS: HttpSettings = { trustProxy: false, allowedOrigins: [], bodyLimit: '16kb' };

export interface AppDeps extends RouteDeps {
  http?: Partial<HttpSettings>;
  logError?: (error: unknown) => void;
}

/** The Koa app: body parsing, error mapping and every route, over the given services. */
export function createApp(deps: AppDeps): Koa {
  const http = { ...DEFAULT_HTTP_SETTINGS, ...deps.http };
  const app = new Koa({ proxy: http.trustProxy });
  app.on('error', (error: unknown) => (deps.logError ?? console.error)(error));
  app.use(handleErrors);
  app.use(sameOriginForCookies(http.allowedOrigins));
  app.use(requireSupportedBody);
  app.use(bodyParser({ enableTypes: ['json', 'form'], strict: true, jsonLimit: http.bodyLimit, formLimit: http.bodyLimit }));
  const router = new Router();
  for (const routes of [rootRoutes(), usersRoutes(deps), sessionsRoutes(deps), profileRoutes(deps), resetPasswordRoutes(deps)]) {
    router.use(routes.routes());
  }
  app.use(router.routes());
  app.use(unknownMethodIsNotAllowed);
  app.use(router.allowedMethods());
  return app;
}

// The router answers 501 to methods it has never heard of; to a client that is the same
// mistake as any other wrong method, and a 5xx would blame the server.
async function unknownMethodIsNotAllowed(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  await next();
  if (ctx.status === 501) ctx.status = 405;
}
