import { DependencyUnavailableError, RetryLaterError } from '../kernel/errors';

/** Too many wrong reset tokens for the email or from the client address in this window. */
export class TooManyResetTokenFailuresError extends RetryLaterError {
  readonly code = 'too_many_reset_token_failures';
  constructor(retryAfterSeconds: number) {
    super('too many wrong reset tokens; try again later', retryAfterSeconds);
  }
}

/** The counters of wrong reset tokens cannot be reached, so no token is checked. */
export class ResetTokenChecksUnavailableError extends DependencyUnavailableError {
  override readonly code = 'reset_token_checks_unavailable';
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(retryAfterSeconds, cause, 'password resets are unavailable for a moment; try again later');
  }
}
