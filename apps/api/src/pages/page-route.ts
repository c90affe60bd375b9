import type { FormBinding } from './form-tokens';
import type { PageRequest } from './page-request';

interface RouteBase {
  /** The router's form, `/login`; every page is one level deep, so relative links work under a proxy prefix. */
  path: string;
  /**
   * 'required': signed in, or sent to the sign-in page; 'optional': the session when there
   * is one. Without it no session is looked up.
   */
  session?: 'required' | 'optional';
  handle(page: PageRequest): Promise<void>;
}

export interface GetPage extends RouteBase {
  method: 'get';
}

/** Every post of the pages proves its form with a token, bound to the session or the browser. */
export interface PostPage extends RouteBase {
  method: 'post';
  form: FormBinding;
  /** The page a refused form leads back to. */
  back: string;
}

export type PageRoute = GetPage | PostPage;

/** Declares a page route (its handler is typed by it). */
export function pageRoute(route: PageRoute): PageRoute {
  return route;
}
