import type { SessionTokens } from './session-tokens';
import { SigningKeyUnavailableError } from './token-errors';

/** What the apps use of signed tokens. */
export type TokenCapability = Pick<SessionTokens, 'keySetMaxAgeSeconds' | 'issue' | 'keySet' | 'list' | 'rotate' | 'prepare'>;

const notConfigured = (): Promise<never> => Promise.reject(new SigningKeyUnavailableError('Signed tokens are not configured'));

/** Signed tokens when none are configured: every use answers that they are unavailable. */
export const UNCONFIGURED_TOKENS: TokenCapability = {
  keySetMaxAgeSeconds: 0,
  issue: notConfigured,
  keySet: notConfigured,
  list: notConfigured,
  rotate: notConfigured,
  prepare: () => Promise.resolve(),
};
