/** Base class of every error the domain raises on purpose. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No user matches the filter (SQLAlchemy's NoResultFound in the original). */
export class NoResultFound extends DomainError {
  constructor(message = 'No user matches the filter') {
    super(message);
  }
}

/** The filter names something that is not a user attribute, or is empty. */
export class InvalidRequestError extends DomainError {
  constructor(message = 'Invalid filter') {
    super(message);
  }
}

/** An update names something that is not a user attribute (the original's ValueError). */
export class UnknownAttributeError extends DomainError {
  constructor(readonly attribute: string) {
    super(`${attribute} is not a user attribute`);
  }
}

export class UserAlreadyExistsError extends DomainError {
  constructor(readonly email: string) {
    super(`User ${email} already exists`);
  }
}

/** The email is not registered (raised where the contract says "error if unknown"). */
export class UnknownUserError extends DomainError {
  constructor() {
    super('No user is registered with this email');
  }
}

export class InvalidResetTokenError extends DomainError {
  constructor() {
    super('Invalid or expired reset token');
  }
}

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('Invalid email or password');
  }
}

export class NotAuthenticatedError extends DomainError {
  constructor() {
    super('Not authenticated');
  }
}

/** No session of the caller's has this id (another user's, ended or never issued: all alike). */
export class UnknownSessionError extends DomainError {
  constructor() {
    super('No such session');
  }
}

/** Input that breaks a rule (missing field, password policy, ...). */
export class ValidationError extends DomainError {}

/** Too many failed logins for the account or the client address. */
export class TooManyAttemptsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed login attempts; try again later');
  }
}

/** Too much work is already waiting (password hashing); the client should retry later. */
export class OverloadedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('Server busy; try again later');
  }
}

/**
 * A dependency (database, Redis) is down, frozen past its deadline or cannot write (disk
 * full): nothing is wrong with the request, which the client should retry later. Adapters
 * raise it in place of the driver's error, which is kept as the cause.
 */
export class DependencyUnavailableError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    cause?: unknown,
    message = 'A service this one depends on is unavailable; try again later',
  ) {
    super(message);
    this.cause = cause;
  }
}

/** Too many reset requests for the email or from the client address. */
export class TooManyResetRequestsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many password reset requests; try again later');
  }
}

/** The reset request counters cannot be reached, so no request is let through. */
export class ResetRequestsUnavailableError extends DependencyUnavailableError {
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(retryAfterSeconds, cause, 'Password resets are unavailable for a moment; try again later');
  }
}

/** The login failure counters cannot be reached, so no login is let through. */
export class ThrottleUnavailableError extends DependencyUnavailableError {
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(retryAfterSeconds, cause, 'Logins are unavailable for a moment; try again later');
  }
}

/** A signed-in owner gave a wrong current password (counted by the login throttle). */
export class WrongPasswordError extends DomainError {
  constructor() {
    super('Wrong password');
  }
}

/** A verification or change-of-email link that is unknown, used, expired or for another address. */
export class InvalidEmailTokenError extends DomainError {
  constructor() {
    super('Invalid or expired link');
  }
}

/** A change of email that needs a mailer when none is configured. */
export class MailUnavailableError extends DomainError {
  constructor() {
    super('Email is not configured');
  }
}
