import type { ClientContext } from '../kernel/client-context';
import type { SecondFactorCapability } from '../second-factor/unconfigured-second-factors';
import type { User } from '../users/user';
import type { LoginStep, LoginVerdict } from './login-step';
import { PASS } from './login-step';

/** An address not yet verified (EMAIL_VERIFICATION=required) is refused as a wrong password is. */
export function verifiedAddressStep(blocksLogin: (user: User) => boolean): LoginStep {
  return {
    name: 'verified_address',
    decide: async (user): Promise<LoginVerdict> => (blocksLogin(user) ? { kind: 'refuse', event: 'login_unverified' } : PASS),
  };
}

/** A user who has a second factor gets a pending login that a code completes, not a session. */
export function secondFactorStep(secondFactor: SecondFactorCapability): LoginStep {
  return {
    name: 'second_factor',
    decide: async (user: User, client: ClientContext): Promise<LoginVerdict> =>
      (await secondFactor.isEnabled(user.id)) ? { kind: 'challenge', start: () => secondFactor.beginLogin(user, client) } : PASS,
  };
}
