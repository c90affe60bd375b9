import Router from '@koa/router';

/** Liveness: the process answers. It checks nothing else, so a slow database never restarts it. */
export function healthzRoutes(): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  return router;
}
