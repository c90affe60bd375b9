import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { handleErrors } from './http-errors';
import type { RouteDeps } from './routes/context';
import { profileRoutes } from './routes/profile';
import { resetPasswordRoutes } from './routes/reset-password';
import { rootRoutes } from './routes/root';
import { sessionsRoutes } from './routes/sessions';
import { usersRoutes } from './routes/users';

export interface AppDeps extends RouteDeps {
  logError?: (error: unknown) => void;
}

/** The Koa app: body parsing, error mapping and every route, over the given services. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.on('error', (error: unknown) => (deps.logError ?? console.error)(error));
  app.use(handleErrors);
  app.use(bodyParser({ enableTypes: ['json', 'form'], strict: true }));
  const router = new Router();
  for (const routes of [rootRoutes(), usersRoutes(deps), sessionsRoutes(deps), profileRoutes(deps), resetPasswordRoutes(deps)]) {
    router.use(routes.routes());
  }
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
