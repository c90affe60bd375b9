import { ValidationError } from './errors';

/** RFC 5321: a path holds at most 256 octets, so an address at most 254. */
export const EMAIL_MAX_OCTETS = 254;

// Control characters (NUL among them) cannot be typed into a mail client, and PostgreSQL
// refuses NUL. U+FFFD and lone surrogates are what a broken encoding leaves behind: a
// database in UTF-8 stores a lone surrogate as U+FFFD, so both would make look-alikes.
const FORBIDDEN = /[\p{Cc}\p{Cs}\uFFFD]/u;

/** Why an email is refused, or null when it is acceptable. */
export function emailProblem(email: string): string | null {
  if (email === '') return 'email is required';
  if (Buffer.byteLength(email, 'utf8') > EMAIL_MAX_OCTETS) return `email must be at most ${EMAIL_MAX_OCTETS} bytes`;
  if (FORBIDDEN.test(email)) return 'email holds a character that is not allowed';
  const parts = email.split('@');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return 'email must hold one @ between a name and a domain';
  return null;
}

/**
 * The email as stored and looked up: trimmed and in Unicode NFC (so one address typed two
 * ways is one account); ValidationError when it breaks a rule. The case is kept as given:
 * comparisons ignore it (normalizeEmail).
 */
export function parseEmail(email: string): string {
  const address = email.trim().normalize('NFC');
  const problem = emailProblem(address);
  if (problem) throw new ValidationError(problem);
  return address;
}

/** The parsed email, or null when it breaks a rule. */
export function parseEmailOrNull(email: string): string | null {
  try {
    return parseEmail(email);
  } catch (error) {
    if (error instanceof ValidationError) return null;
    throw error;
  }
}
