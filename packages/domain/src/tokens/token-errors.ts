import { DependencyUnavailableError, DomainError } from '../kernel/errors';

/**
 * A route made for other services (forward auth, tokens) was called without a live
 * session: 401, which a reverse proxy understands as "not signed in".
 */
export class NoLiveSessionError extends DomainError {
  readonly code = 'no_live_session';
  constructor() {
    super('no live session');
  }
}

/**
 * No token can be signed: none is configured, or the signing key does not open with the
 * encryption keys given (the one that sealed it was removed). The message says which.
 */
export class SigningKeyUnavailableError extends DependencyUnavailableError {
  override readonly code = 'signing_key_unavailable';
  constructor(message: string, cause?: unknown) {
    super(60, cause, message);
  }
}

/** A rotation that the key set's rules refuse now; the message says why and until when. */
export class KeyRotationRefusedError extends DomainError {
  readonly code = 'key_rotation_refused';
}
