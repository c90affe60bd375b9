import type { PasswordResetSettings } from './passwords/password-resets';
import type { SessionLimits } from './sessions/session-rules';
import { DEFAULT_SESSION_LIMITS } from './sessions/session-rules';

/** The limits of sessions and reset tokens, as AuthService exposes them. */
export interface SessionSettings extends SessionLimits, PasswordResetSettings {}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  ...DEFAULT_SESSION_LIMITS,
  resetTokenTtlMs: 30 * 60_000,
  resetTokensPerUser: 3,
};
