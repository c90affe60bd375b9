import type { Endpoint } from '../endpoint';
import { adminUsersRoutes } from './admin-users';
import { healthzRoutes } from './healthz';
import { metricsRoutes } from './metrics';
import { openapiRoutes } from './openapi';
import { profileRoutes } from './profile';
import { profileEmailRoutes } from './profile-email';
import { profilePasskeysRoutes } from './profile-passkeys';
import { profilePasswordRoutes } from './profile-password';
import { profileRecoveryCodesRoutes } from './profile-recovery-codes';
import { profileTotpRoutes } from './profile-totp';
import { readyzRoutes } from './readyz';
import { resetPasswordRoutes } from './reset-password';
import { rootRoutes } from './root';
import { sessionsRoutes } from './sessions';
import { sessionsPasskeyRoutes } from './sessions-passkey';
import { sessionsSecondFactorRoutes } from './sessions-second-factor';
import { sessionsTokenRoutes } from './sessions-token';
import { sessionsWhoamiRoutes } from './sessions-whoami';
import { usersRoutes } from './users';
import { verifyEmailRoutes } from './verify-email';
import { wellKnownJwksRoutes } from './well-known-jwks';

/** Every endpoint of the API, in the order the router tries them; the OpenAPI document is theirs. */
export const ENDPOINTS: readonly Endpoint[] = [
  ...rootRoutes,
  ...usersRoutes,
  ...sessionsRoutes,
  ...profileRoutes,
  ...sessionsSecondFactorRoutes,
  ...profileTotpRoutes,
  ...profileRecoveryCodesRoutes,
  ...resetPasswordRoutes,
  // The account lifecycle:
  ...verifyEmailRoutes,
  ...profilePasswordRoutes,
  ...profileEmailRoutes,
  // Passkeys: registering while signed in, signing in, and as a second factor.
  ...profilePasskeysRoutes,
  ...sessionsPasskeyRoutes,
  ...healthzRoutes,
  ...readyzRoutes,
  ...metricsRoutes,
  ...openapiRoutes,
  // For other services: forward auth, signed tokens and their key set.
  ...sessionsWhoamiRoutes,
  ...sessionsTokenRoutes,
  ...wellKnownJwksRoutes,
  // For programs with a key: the admin API (on ADMIN_PORT alone when it is set).
  ...adminUsersRoutes,
];
