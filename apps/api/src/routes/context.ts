import type { AuthService, PasswordResetEmails } from '@latchkey/domain';
import type { CookieSettings } from '../session-cookie';

/** What every route module receives from the composition root. */
export interface RouteDeps {
  auth: AuthService;
  cookie: CookieSettings;
  /** When present, reset tokens travel only by email (RESET_TOKEN_DELIVERY=email). */
  resetEmails?: PasswordResetEmails;
}
