import type { PasswordResetEmails } from '@latchkey/domain';
import type { Config, Services } from '@latchkey/runtime';

/** What the hosted pages are given by the composition root (HOSTED_PAGES=true). */
export interface PageSettings {
  /** Shown in every page's header and title (APP_NAME). */
  appName: string;
  /** A path on this host or an https:// address (LOGO_URL); the name alone without it. */
  logoUrl?: string;
  /** `#rrggbb` (ACCENT_COLOR). */
  accentColor: string;
  /** Origins a person may be sent back to after signing in (RETURN_TO_ORIGINS). */
  returnToOrigins: readonly string[];
  /** The shortest password accepted (PASSWORD_MIN_LENGTH), told beside new-password fields. */
  passwordMinLength: number;
  /** How long after its login a session may add or remove a passkey without the password (PASSKEY_STEP_UP_SECONDS). */
  passkeyStepUpSeconds: number;
  /** Reset links by email; without it /forgot says that resets by email are not set up. */
  resetLinks?: Pick<PasswordResetEmails, 'request'>;
}

/** The pages' settings from the configuration, with the reset links the services send. */
export function pageSettingsFrom(config: Config, services: Pick<Services, 'resetLinks'>): PageSettings {
  return {
    appName: config.APP_NAME,
    logoUrl: config.LOGO_URL,
    accentColor: config.ACCENT_COLOR,
    returnToOrigins: config.RETURN_TO_ORIGINS,
    passwordMinLength: config.PASSWORD_MIN_LENGTH,
    passkeyStepUpSeconds: config.PASSKEY_STEP_UP_SECONDS,
    resetLinks: services.resetLinks,
  };
}
