import { DomainError } from '../kernel/errors';

/** No key, or one that is not a live key of the admin API. */
export class InvalidApiKeyError extends DomainError {
  readonly code = 'invalid_api_key';
  constructor() {
    super('a valid API key is required');
  }
}

/** A read-only key asked for a change. */
export class ReadOnlyApiKeyError extends DomainError {
  readonly code = 'read_only_api_key';
  constructor() {
    super('this API key is read-only');
  }
}

/** No live key has this id. */
export class UnknownApiKeyError extends DomainError {
  readonly code = 'unknown_api_key';
  constructor(readonly id: number) {
    super(`no live API key has the id ${id}`);
  }
}

/** No user has this id (the admin API names users by id). */
export class UnknownUserIdError extends DomainError {
  readonly code = 'unknown_user_id';
  constructor(readonly id: number) {
    super('no user has this id');
  }
}
