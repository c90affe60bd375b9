import { InvalidRequestError, UnknownAttributeError } from '../kernel/errors';
import type { UserChanges, UserFilter, UserPage } from './user-repository';
import type { User } from './user';
import { isUserAttribute, normalizeEmail } from './user';

/** Rules every UserRepository shares, so adapters agree on what a bad filter is. */
export function assertValidFilter(filter: UserFilter): void {
  const keys = Object.keys(filter ?? {});
  if (keys.length === 0) throw new InvalidRequestError('The filter is empty');
  const unknown = keys.find((key) => !isUserAttribute(key));
  if (unknown) throw new InvalidRequestError(`${unknown} is not a user attribute`);
}

export function assertValidChanges(changes: UserChanges): void {
  const unknown = Object.keys(changes ?? {}).find((key) => key === 'id' || !isUserAttribute(key));
  if (unknown) throw new UnknownAttributeError(unknown);
}

/** In-process form of findUserBy's matching; email compares case-insensitively. */
export function userMatches(user: User, filter: UserFilter): boolean {
  return Object.entries(filter).every(([key, value]) => {
    const actual = user[key as keyof User];
    if (key === 'email' && typeof value === 'string') {
      return normalizeEmail(String(actual)) === normalizeEmail(value);
    }
    return actual === (value ?? null);
  });
}

/** The page with its offset filled in; RangeError for a negative or fractional bound. */
export function checkedPage(page: UserPage): Required<UserPage> {
  const { limit, offset = 0, afterId = 0 } = page;
  for (const [name, value] of [['limit', limit], ['offset', offset], ['afterId', afterId]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0`);
  }
  return { limit, offset, afterId };
}
