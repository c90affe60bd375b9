import { DependencyUnavailableError, DomainError } from '../errors';

/** The password was right; the login waits for a code (POST /sessions/second_factor). */
export class SecondFactorRequiredError extends DomainError {
  constructor(
    /** The pending login's token: given to the client once, stored as a digest. */
    readonly pendingToken: string,
    /** How long the pending login waits for its code. */
    readonly expiresInSeconds: number,
  ) {
    super('Second factor required');
  }
}

/** A wrong, used or malformed code (TOTP or recovery). */
export class InvalidSecondFactorCodeError extends DomainError {
  constructor(message = 'Invalid code') {
    super(message);
  }
}

/** The pending login is unknown, expired, completed or ended by too many wrong codes. */
export class NoPendingLoginError extends DomainError {
  constructor() {
    super('No pending login; log in again');
  }
}

/** Too many wrong codes for the account in this window. */
export class TooManySecondFactorFailuresError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many wrong codes; try again later');
  }
}

/** The request does not fit the state of the factor (enabled already, none to confirm or remove). */
export class SecondFactorStateError extends DomainError {}

/** No key to seal or open secrets with: the message names the setting that is missing. */
export class SecretBoxUnavailableError extends DependencyUnavailableError {
  constructor(message: string) {
    super(60, undefined, message);
  }
}

/** The counters of wrong codes cannot be reached, so no code is checked. */
export class SecondFactorThrottleUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super(5, cause, 'Second factor checks are unavailable for a moment; try again later');
  }
}
