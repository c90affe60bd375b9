import type { AuthService } from '@latchkey/domain';
import type { CookieSettings } from '../session-cookie';

/** What every route module receives from the composition root. */
export interface RouteDeps {
  auth: AuthService;
  cookie: CookieSettings;
}
