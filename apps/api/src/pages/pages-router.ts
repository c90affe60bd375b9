import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AuthService } from '@latchkey/domain';
import type { CookieSettings } from '../cookies';
import { PageRequest, pageSession } from './page-request';
import { PAGE_SCRIPTS } from './page-scripts';
import type { PagesDeps } from './page-request';
import type { PageRoute } from './page-route';
import type { PageSettings } from './page-settings';
import { originSet } from './return-to';
import { accountPages } from './routes/account-pages';
import { recoveryPages } from './routes/recovery-pages';
import { signInPages } from './routes/sign-in-pages';
import { signUpPages } from './routes/sign-up-pages';
import { verifyPages } from './routes/verify-pages';
import { securityHeaders } from './security-headers';
import { pagesStylesheet } from './stylesheet';

/** Every page route, in the order the router tries them. */
export const PAGE_ROUTES: readonly PageRoute[] = [...signInPages, ...signUpPages, ...recoveryPages, ...verifyPages, ...accountPages];

/** The stylesheet's path (relative links name it `pages.css`). */
export const STYLESHEET_PATH = '/pages.css';

/** The paths the pages answer, for the request log's route names. */
export const PAGE_PATHS: readonly string[] = [...new Set([...PAGE_ROUTES.map((route) => route.path), STYLESHEET_PATH, ...PAGE_SCRIPTS.map((script) => script.path)])];

export interface PagesRouterDeps {
  auth: AuthService;
  cookie: CookieSettings;
  settings: PageSettings;
}

/**
 * The hosted pages: HTML rendered here, forms that work without script, each handler
 * calling the domain directly (never the JSON API over HTTP); only the passkey ceremonies,
 * which need the browser's WebAuthn, run in a script of this origin that calls the JSON API. Every answer carries the pages'
 * security headers.
 */
export function createPagesRouter({ auth, cookie, settings }: PagesRouterDeps): Router {
  const deps: PagesDeps = { auth, cookie, settings, returnToOrigins: originSet(settings.returnToOrigins) };
  const headers = securityHeaders(settings, cookie.secure);
  const router = new Router();
  for (const route of PAGE_ROUTES) router[route.method](route.path, headers, pageMiddleware(route, deps));
  const css = pagesStylesheet(settings.accentColor);
  router.get(STYLESHEET_PATH, headers, (ctx: Context) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.body = css;
  });
  for (const script of PAGE_SCRIPTS) {
    router.get(script.path, headers, (ctx: Context) => {
      ctx.type = 'text/javascript; charset=utf-8';
      // Named with its digest by the pages (`?v=…`): a new script is a new address, so this
      // one may be kept a year. Any other address keeps the guards' no-store.
      if (ctx.query.v === script.version) ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.body = script.body;
    });
  }
  return router;
}

/**
 * A page's one middleware: its session (or the sign-in page), its form token for a post,
 * then its handler; whatever fails is shown as a page, not as JSON.
 */
function pageMiddleware(route: PageRoute, deps: PagesDeps): Middleware {
  return async (ctx) => {
    let signedIn = null;
    try {
      if (route.session) signedIn = await pageSession(ctx, deps);
    } catch (error) {
      return await new PageRequest(ctx, deps, null).failure(error);
    }
    const page = new PageRequest(ctx, deps, signedIn);
    try {
      if (route.session === 'required' && !page.signedIn) return page.redirect('login');
      if (route.method === 'post' && !page.postedTokenIsValid(route.form)) return await page.formExpired(route.back);
      await route.handle(page);
    } catch (error) {
      await page.failure(error);
    }
  };
}
