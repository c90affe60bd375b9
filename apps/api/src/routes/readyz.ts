import Router from '@koa/router';
import type { Readiness } from '../readiness';

/** Readiness: 200 while the database answers and can write, 503 when not or the process is draining. */
export function readyzRoutes(readiness: Readiness): Router {
  const router = new Router();
  router.get('/readyz', async (ctx) => {
    const state = await readiness.check();
    if (state.ready) {
      ctx.body = { status: 'ready' };
    } else {
      ctx.status = 503;
      ctx.body = { message: state.reason };
    }
  });
  return router;
}
