import Router from '@koa/router';
import { openApiDocument } from '../openapi';

/** The OpenAPI 3.1 document of every route of the API. */
export function openapiRoutes(): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument;
  });
  return router;
}
