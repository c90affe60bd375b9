import Router from '@koa/router';
import type { Metrics } from '../metrics';

/** Prometheus text format of the process's metrics. */
export function metricsRoutes(metrics: Metrics): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.render();
  });
  return router;
}
