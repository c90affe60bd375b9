import type { Passkeys } from './passkeys';
import { PasskeysUnconfiguredError } from './passkey-errors';

/** What the rest of the domain and the apps use of passkeys. */
export type PasskeyCapability = Pick<
  Passkeys,
  | 'configured'
  | 'list'
  | 'registrationOptions'
  | 'register'
  | 'rename'
  | 'remove'
  | 'removeByAdmin'
  | 'signInOptions'
  | 'signIn'
  | 'secondFactorOptions'
  | 'completeSecondFactor'
  | 'deleteExpiredChallenges'
>;

const notConfigured = (): Promise<never> => Promise.reject(new PasskeysUnconfiguredError());

/** Passkeys without storage: nobody has one, and every ceremony is refused. */
export const UNCONFIGURED_PASSKEYS: PasskeyCapability = {
  configured: false,
  list: () => Promise.resolve([]),
  registrationOptions: notConfigured,
  register: notConfigured,
  rename: notConfigured,
  remove: notConfigured,
  removeByAdmin: () => Promise.resolve(null),
  signInOptions: notConfigured,
  signIn: notConfigured,
  secondFactorOptions: notConfigured,
  completeSecondFactor: notConfigured,
  deleteExpiredChallenges: () => Promise.resolve(0),
};
