import Router from '@koa/router';

export function rootRoutes(): Router {
  const router = new Router();
  router.get('/', (ctx) => {
    ctx.body = { message: 'Bienvenue' };
  });
  return router;
}
