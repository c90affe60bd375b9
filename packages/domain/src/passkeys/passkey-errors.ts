import { DomainError } from '../kernel/errors';

/** No relying party is configured (PUBLIC_URL or WEBAUTHN_RP_ID): passkeys are off. */
export class PasskeysUnconfiguredError extends DomainError {
  readonly code = 'passkeys_unconfigured';
  constructor() {
    super('passkeys are not configured: set PUBLIC_URL or WEBAUTHN_RP_ID');
  }
}

/** An answer that does not verify: a wrong signature, origin, RP or challenge, an unknown or another account's credential, a counter gone backwards. */
export class InvalidPasskeyError extends DomainError {
  readonly code = 'invalid_passkey';
  constructor() {
    super('invalid passkey');
  }
}

/** No ceremony waits for this client: none asked, expired, or used already. */
export class NoPasskeyCeremonyError extends DomainError {
  readonly code = 'no_passkey_ceremony';
  constructor() {
    super('no passkey ceremony; ask for new options');
  }
}

export class PasskeyLimitError extends DomainError {
  readonly code = 'passkey_limit';
  constructor(max: number) {
    super(`at most ${max} passkeys per account`);
  }
}

export class PasskeyExistsError extends DomainError {
  readonly code = 'passkey_exists';
  constructor() {
    super('this passkey is registered already');
  }
}

export class UnknownPasskeyError extends DomainError {
  readonly code = 'unknown_passkey';
  constructor() {
    super('no such passkey');
  }
}

/** Removing it would leave the account no way to sign in. */
export class LastSignInMethodError extends DomainError {
  readonly code = 'last_sign_in_method';
  constructor() {
    super('the last passkey of an account without a password cannot be removed');
  }
}

/** A sensitive change needs a recent login or the current password. */
export class StepUpRequiredError extends DomainError {
  readonly code = 'step_up_required';
  constructor() {
    super('confirm your password: this session was not opened recently');
  }
}
