import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';

interface RouteLayer {
  path: string | RegExp;
  methods: string[];
  paramNames: unknown[];
  stack: Middleware[];
  match(path: string): boolean;
}

/**
 * The router's fast path: a request whose method and path name one of the router's routes
 * exactly (no parameter: GET /profile, GET /sessions/whoami, GET /) goes straight to that
 * route's middleware, found in one Map lookup, instead of testing every route's regular
 * expression and composing a chain for the one that matched. Only a route that the router
 * itself would run first for that request is taken: a path that an earlier route with
 * parameters, a path of `shadowed` (the hosted pages, mounted before) or any other case,
 * trailing slash or method (HEAD included, answered by the router) falls through to the
 * router unchanged. The route template is left where the router leaves it
 * (`ctx._matchedRoute`), for the metrics and logs.
 */
export function exactRoutes(router: Router, shadowed: ReadonlySet<string> = new Set()): Middleware {
  const layers = router.stack as unknown as RouteLayer[];
  const table = new Map<string, { path: string; run: Middleware }>();
  for (const layer of layers) {
    const { path } = layer;
    if (typeof path !== 'string' || layer.paramNames.length > 0 || layer.stack.length !== 1 || shadowed.has(path)) continue;
    for (const method of layer.methods) {
      if (method === 'HEAD') continue;
      const first = layers.find((candidate) => candidate.methods.includes(method) && candidate.match(path));
      if (first === layer && !table.has(`${method} ${path}`)) table.set(`${method} ${path}`, { path, run: layer.stack[0]! });
    }
  }
  return function exactRoute(ctx: Context, next: Next) {
    const route = table.get(`${ctx.method} ${ctx.path}`);
    if (route === undefined) return next();
    const routed = ctx as Context & { _matchedRoute?: string; routerPath?: string };
    routed._matchedRoute = route.path;
    routed.routerPath = route.path;
    ctx.params = {};
    return route.run(ctx, next);
  };
}
