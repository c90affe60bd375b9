import type { EmailTokenRepository } from './email-token-repository';
import type { AccountRepository } from './account-repository';

function unconfigured(): Promise<never> {
  return Promise.reject(new Error('No account storage was given (AuthServiceDeps.account)'));
}

/**
 * For an AuthService built without account storage: the contract's registration and login
 * need none (verification is off), and every other account change fails loudly.
 */
export const NO_ACCOUNT_STORAGE: { accounts: AccountRepository; emailTokens: EmailTokenRepository } = {
  accounts: { changePassword: unconfigured, deleteAccount: unconfigured, markVerified: unconfigured, registeredAt: unconfigured },
  emailTokens: { issue: unconfigured, verify: unconfigured, changeEmail: unconfigured },
};
