import { DomainError, RetryLaterError } from '@latchkey/domain';
import type { ErrorCode } from '@latchkey/domain';
import { HTTP_STATUS } from '../http-errors';
import type { Catalog } from './catalogs';
import type { FormErrors } from './views/forms';

/** What a field holds, which says how a refusal of its value (invalid_input) reads. */
export type FieldKind = 'email' | 'password';

/** Where a form shows each code it expects: beside a field, by the field's name and kind. */
export interface ErrorPlace {
  /** The field's name; at the top of the form when absent. */
  field?: string;
  kind?: FieldKind;
  /** What to say instead of the code's own text. */
  text?: string;
}

/** Where a form shows each code it expects (and in which words); the rest go at the top of the form. */
export type ErrorPlaces = Partial<Record<ErrorCode, ErrorPlace>>;

/** The text of a refusal in the reader's language, with the wait when the refusal has one. */
export function refusalText(error: DomainError, t: Catalog): string {
  const text = t.errors[error.code];
  return error instanceof RetryLaterError ? `${text} ${t.errors.retryAfter(error.retryAfterSeconds)}` : text;
}

/**
 * A domain refusal as a form shows it: beside the field its code names on this form
 * (invalid_input reads as the field's kind: an address, a password the policy refuses),
 * else at the top of the form. Anything that is not a refusal is thrown on.
 */
export function placeRefusal(error: unknown, t: Catalog, places: ErrorPlaces, passwordMinLength = 1): { errors: FormErrors; refusal: DomainError } {
  if (!(error instanceof DomainError)) throw error;
  const place = places[error.code] ?? {};
  const text = place.text ?? textOf(error, t, place, passwordMinLength);
  return { errors: place.field ? { fields: { [place.field]: text } } : { form: text, fields: {} }, refusal: error };
}

function textOf(error: DomainError, t: Catalog, place: ErrorPlace, passwordMinLength: number): string {
  return error.code === 'invalid_input' && place.kind === 'email'
      ? t.errors.invalidEmail
      : error.code === 'invalid_input' && place.kind === 'password'
        ? t.errors.passwordRefused(passwordMinLength)
        : refusalText(error, t);
}

/** The status a page answers a refusal with: the JSON API's for the same code. */
export function refusalStatus(error: DomainError): number {
  return HTTP_STATUS[error.code].status;
}
