import type { Catalog } from '../catalogs';
import type { Language } from '../languages';

/** Where a page is, relative to the pages' folder (`reset`, with its query), for its language switch. */
export interface PagePlace {
  path: string;
  query?: Record<string, string | undefined>;
}

/** What every page's layout needs besides its own content. */
export interface Frame {
  t: Catalog;
  lang: Language;
  appName: string;
  logoUrl?: string;
  here: PagePlace;
  /** The sign-out form's token, when someone is signed in. */
  signOutToken?: string;
}

/** A relative link to a page: relative, so that the pages also work under a proxy's path prefix. */
export function pageHref(place: PagePlace, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...place.query, ...extra })) if (value) query.set(name, value);
  const search = query.toString();
  return search ? `${place.path}?${search}` : place.path;
}
