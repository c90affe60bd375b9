import type { ErrorCode } from './error-codes';

/** Base class of every error the domain raises on purpose; `code` names it for clients. */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Nothing is wrong with the request, but it cannot be served now: retry after so many seconds. */
export abstract class RetryLaterError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** No user matches the filter (SQLAlchemy's NoResultFound in the original). */
export class NoResultFound extends DomainError {
  readonly code = 'no_result_found';
  constructor(message = 'No user matches the filter') {
    super(message);
  }
}

/** The filter names something that is not a user attribute, or is empty. */
export class InvalidRequestError extends DomainError {
  readonly code = 'invalid_request';
  constructor(message = 'Invalid filter') {
    super(message);
  }
}

/** An update names something that is not a user attribute (the original's ValueError). */
export class UnknownAttributeError extends DomainError {
  readonly code = 'unknown_attribute';
  constructor(readonly attribute: string) {
    super(`${attribute} is not a user attribute`);
  }
}

/** The contract's message (SPEC A3); the API answers "email already registered". */
export class UserAlreadyExistsError extends DomainError {
  readonly code = 'user_already_exists';
  constructor(readonly email: string) {
    super(`User ${email} already exists`);
  }
}

/** The email is not registered (raised where the contract says "error if unknown"). */
export class UnknownUserError extends DomainError {
  readonly code = 'unknown_user';
  constructor() {
    super('No user is registered with this email');
  }
}

export class InvalidResetTokenError extends DomainError {
  readonly code = 'invalid_reset_token';
  constructor() {
    super('invalid reset token');
  }
}

export class InvalidCredentialsError extends DomainError {
  readonly code = 'invalid_credentials';
  constructor() {
    super('invalid email or password');
  }
}

export class NotAuthenticatedError extends DomainError {
  readonly code = 'not_authenticated';
  constructor() {
    super('Not authenticated');
  }
}

/** No session of the caller's has this id (another user's, ended or never issued: all alike). */
export class UnknownSessionError extends DomainError {
  readonly code = 'unknown_session';
  constructor() {
    super('No such session');
  }
}

/** Input that breaks a rule (missing field, password policy, ...); the message says which. */
export class ValidationError extends DomainError {
  readonly code = 'invalid_input';
}

/** Too many failed logins for the account or the client address. */
export class TooManyAttemptsError extends RetryLaterError {
  readonly code = 'too_many_attempts';
  constructor(retryAfterSeconds: number) {
    super('too many failed logins; try again later', retryAfterSeconds);
  }
}

/** Too much work is already waiting (password hashing); the client should retry later. */
export class OverloadedError extends RetryLaterError {
  readonly code = 'overloaded';
  constructor(retryAfterSeconds: number) {
    super('server busy; try again later', retryAfterSeconds);
  }
}

/**
 * A dependency (database, Redis) is down, frozen past its deadline or cannot write (disk
 * full): nothing is wrong with the request, which the client should retry later. Adapters
 * raise it in place of the driver's error, which is kept as the cause.
 */
export class DependencyUnavailableError extends RetryLaterError {
  readonly code: ErrorCode = 'dependency_unavailable';
  constructor(retryAfterSeconds: number, cause?: unknown, message = 'A service this one depends on is unavailable; try again later') {
    super(message, retryAfterSeconds);
    this.cause = cause;
  }
}

/** Too many reset requests for the email or from the client address. */
export class TooManyResetRequestsError extends RetryLaterError {
  readonly code = 'too_many_reset_requests';
  constructor(retryAfterSeconds: number) {
    super('too many reset requests; try again later', retryAfterSeconds);
  }
}

/** The reset request counters cannot be reached, so no request is let through. */
export class ResetRequestsUnavailableError extends DependencyUnavailableError {
  override readonly code = 'reset_requests_unavailable';
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(retryAfterSeconds, cause, 'password resets are unavailable for a moment; try again later');
  }
}

/** The login failure counters cannot be reached, so no login is let through. */
export class ThrottleUnavailableError extends DependencyUnavailableError {
  override readonly code = 'login_unavailable';
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(retryAfterSeconds, cause, 'logins are unavailable for a moment; try again later');
  }
}

/** A signed-in owner gave a wrong current password (counted by the login throttle). */
export class WrongPasswordError extends DomainError {
  readonly code = 'wrong_password';
  constructor() {
    super('wrong password');
  }
}

/** A verification or change-of-email link that is unknown, used, expired or for another address. */
export class InvalidEmailTokenError extends DomainError {
  readonly code = 'invalid_email_token';
  constructor() {
    super('invalid or expired link');
  }
}

/** A change of email that needs a mailer when none is configured. */
export class MailUnavailableError extends DomainError {
  readonly code = 'mail_unavailable';
  constructor() {
    super('email is not configured');
  }
}
