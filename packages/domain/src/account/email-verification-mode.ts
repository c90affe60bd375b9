/**
 * `off`: addresses are never checked (the contract). `optional`: a link is sent and the
 * profile says whether it was used. `required`: an unverified account cannot log in, and
 * sign-ups answer alike for new and registered addresses.
 */
export type EmailVerificationMode = 'off' | 'optional' | 'required';

export const EMAIL_VERIFICATION_MODES: readonly EmailVerificationMode[] = ['off', 'optional', 'required'];
