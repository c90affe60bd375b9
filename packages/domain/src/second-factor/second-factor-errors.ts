import { DependencyUnavailableError, DomainError, RetryLaterError } from '../kernel/errors';
import { STORE_UNREACHABLE_RETRY_AFTER_SECONDS } from '../kernel/limiter';

/** The password was right; the login waits for a code (POST /sessions/second_factor). */
export class SecondFactorRequiredError extends DomainError {
  readonly code = 'second_factor_required';
  constructor(
    /** The pending login's token: given to the client once, stored as a digest. */
    readonly pendingToken: string,
    /** How long the pending login waits for its code. */
    readonly expiresInSeconds: number,
  ) {
    super('second factor required');
  }
}

/** A wrong, used or malformed code (TOTP or recovery). */
export class InvalidSecondFactorCodeError extends DomainError {
  readonly code = 'invalid_second_factor_code';
  constructor(message = 'invalid code') {
    super(message);
  }
}

/** The pending login is unknown, expired, completed or ended by too many wrong codes. */
export class NoPendingLoginError extends DomainError {
  readonly code = 'no_pending_login';
  constructor() {
    super('no pending login; log in again');
  }
}

/** Too many wrong codes for the account in this window. */
export class TooManySecondFactorFailuresError extends RetryLaterError {
  readonly code = 'too_many_second_factor_failures';
  constructor(retryAfterSeconds: number) {
    super('too many wrong codes; log in again later', retryAfterSeconds);
  }
}

/** The request does not fit the state of the factor (enabled already, none to confirm or remove). */
export class SecondFactorStateError extends DomainError {
  readonly code = 'second_factor_state';
}

/** No key to seal or open secrets with: the message names the setting that is missing. */
export class SecretBoxUnavailableError extends DependencyUnavailableError {
  override readonly code = 'secret_box_unavailable';
  constructor(message: string) {
    super(60, undefined, message);
  }
}

/** The counters of wrong codes cannot be reached, so no code is checked. */
export class SecondFactorThrottleUnavailableError extends DependencyUnavailableError {
  override readonly code = 'second_factor_checks_unavailable';
  constructor(cause?: unknown, retryAfterSeconds = STORE_UNREACHABLE_RETRY_AFTER_SECONDS) {
    super(retryAfterSeconds, cause, 'Second factor checks are unavailable for a moment; try again later');
  }
}
