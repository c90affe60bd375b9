import type { SecondFactors } from './second-factors';
import { SecondFactorStateError } from './second-factor-errors';

/** What the rest of the domain and the apps use of the second factor. */
export type SecondFactorCapability = Pick<
  SecondFactors,
  | 'isEnabled'
  | 'status'
  | 'startEnrolment'
  | 'enable'
  | 'replaceRecoveryCodes'
  | 'remove'
  | 'resetByAdmin'
  | 'beginLogin'
  | 'completeLogin'
  | 'completeLoginWith'
  | 'pendingUserId'
  | 'deleteExpiredPendingLogins'
>;

const notConfigured = (): Promise<never> => Promise.reject(new SecondFactorStateError('second factors are not configured'));

/** The second factor when none is configured: nobody has one, and nobody can enrol one. */
export const UNCONFIGURED_SECOND_FACTORS: SecondFactorCapability = {
  isEnabled: () => Promise.resolve(false),
  status: () => Promise.resolve({ enabled: false, recoveryCodesLeft: 0 }),
  startEnrolment: notConfigured,
  enable: notConfigured,
  replaceRecoveryCodes: notConfigured,
  remove: notConfigured,
  resetByAdmin: notConfigured,
  beginLogin: notConfigured,
  completeLogin: notConfigured,
  completeLoginWith: notConfigured,
  pendingUserId: () => Promise.resolve(null),
  deleteExpiredPendingLogins: () => Promise.resolve(0),
};
