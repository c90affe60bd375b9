import type { AuthService, PasswordResetEmails } from '@latchkey/domain';
import type { CookieSettings } from '../cookies';
import type { Metrics } from '../metrics';
import type { Readiness } from '../readiness';

/** What the composition root gives the routes. */
export interface RouteDeps {
  auth: AuthService;
  cookie: CookieSettings;
  /** When present, reset tokens travel only by email (RESET_TOKEN_DELIVERY=email). */
  resetEmails?: PasswordResetEmails;
}

/** What every handler receives: the routes' deps, the app's probes and the document it serves. */
export interface HandlerDeps extends RouteDeps {
  metrics: Metrics;
  readiness: Readiness;
  openApiDocument: object;
}
