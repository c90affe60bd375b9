import type { ErrorCode } from '@latchkey/domain';

/** What a notice after a change (`account?done=…`) can say: a fixed list, so a link cannot make the page say anything else. */
export const NOTICES = ['password_changed', 'email_change_sent', 'session_ended', 'others_ended', 'second_factor_removed', 'verification_sent', 'passkey_added', 'passkey_renamed', 'passkey_removed'] as const;
export type Notice = (typeof NOTICES)[number];

/**
 * Every string of the pages in one language. Each language's catalog is of this type, so a
 * string missing from one does not compile; error texts are keyed by the domain's codes.
 */
export interface Catalog {
  /** The language's own name, in the switch. */
  languageName: string;
  languageSwitch: string;
  mainNavigation: string;

  titles: {
    login: string;
    secondFactor: string;
    signup: string;
    checkEmail: string;
    forgot: string;
    reset: string;
    resetDone: string;
    verify: string;
    account: string;
    enrol: string;
    recoveryCodes: string;
    deleted: string;
    formExpired: string;
    failure: string;
  };

  fields: {
    email: string;
    password: string;
    currentPassword: string;
    newPassword: string;
    newEmail: string;
    code: string;
  };
  hints: {
    newPassword: (minLength: number) => string;
    code: string;
    enrolCode: string;
    newEmail: string;
  };

  buttons: {
    signIn: string;
    verifyCode: string;
    createAccount: string;
    sendResetLink: string;
    setPassword: string;
    sendVerification: string;
    signOut: string;
    endSession: string;
    endOtherSessions: string;
    changePassword: string;
    changeEmail: string;
    startSecondFactor: string;
    enableSecondFactor: string;
    removeSecondFactor: string;
    deleteAccount: string;
  };

  links: {
    forgot: string;
    signup: string;
    login: string;
    resendVerification: string;
    account: string;
    newResetLink: string;
  };

  text: {
    secondFactorIntro: string;
    checkEmail: (email: string) => string;
    forgotIntro: string;
    forgotSent: string;
    resetsUnavailable: string;
    resetDone: string;
    resetLinkMissing: string;
    verifyLinkMissing: string;
    verifyIntro: string;
    verifySent: string;
    verified: (email: string) => string;
    emailChanged: (email: string) => string;
    emailHeading: string;
    emailConfirmed: string;
    emailUnconfirmed: string;
    sessionsHeading: string;
    thisDevice: string;
    device: (browser: string, os: string) => string;
    unknownDevice: string;
    signedIn: string;
    lastActive: string;
    fromAddress: (ip: string) => string;
    passwordHeading: string;
    changeEmailHeading: string;
    secondFactorHeading: string;
    secondFactorOn: (codesLeft: number) => string;
    secondFactorOff: string;
    removeSecondFactorIntro: string;
    enrolIntro: string;
    qrAlt: string;
    manualKey: string;
    recoveryIntro: string;
    othersSignedOut: string;
    deleteHeading: string;
    deleteWarning: string;
    deleted: string;
    formExpired: string;
    failure: string;
  };

  /** Passkeys: the account page's list and forms, the sign-in button, what the page script says. */
  passkeys: {
    heading: string;
    intro: string;
    none: string;
    added: string;
    lastUsed: string;
    neverUsed: string;
    synced: string;
    /** The disclosure that holds a passkey's rename and remove forms. */
    manage: string;
    name: string;
    nameHint: string;
    newName: string;
    stepUpHint: (minutes: number) => string;
    add: string;
    rename: string;
    remove: string;
    signIn: string;
    signInIntro: string;
    needsScript: string;
    unsupported: string;
    unavailable: string;
    cancelled: string;
    waiting: string;
  };

  notices: Record<Notice, string>;

  errors: Record<ErrorCode, string> & {
    invalidEmail: string;
    passwordRefused: (minLength: number) => string;
    sameEmail: string;
    passwordOrCode: string;
    retryAfter: (seconds: number) => string;
  };

  /** A date and time, in the reader's language (UTC, said so). */
  dateTime: (epochMs: number) => string;
}
