/**
 * A registered user: the contract's `users` columns but `session_id`, which now lives in
 * the `sessions` table (many per user, see sessions/).
 */
export interface User {
  id: number;
  email: string;
  hashedPassword: string;
  /** SHA-256 digest of the reset token: the token itself is never stored. */
  resetToken: string | null;
  /** Epoch milliseconds after which the reset token no longer works. */
  resetTokenExpiresAt: number | null;
  /** Epoch milliseconds when the owner proved the address; null until then. */
  emailVerifiedAt: number | null;
}

export type UserAttribute = keyof User;

/** A user as addUser first stores it: no reset token. */
export function newUser(id: number, email: string, hashedPassword: string): User {
  return {
    id,
    email,
    hashedPassword,
    resetToken: null,
    resetTokenExpiresAt: null,
    emailVerifiedAt: null,
  };
}

export const USER_ATTRIBUTES: readonly UserAttribute[] = [
  'id',
  'email',
  'hashedPassword',
  'resetToken',
  'resetTokenExpiresAt',
  'emailVerifiedAt',
];

export function isUserAttribute(key: string): key is UserAttribute {
  return (USER_ATTRIBUTES as readonly string[]).includes(key);
}

/** Emails are unique and looked up regardless of case; this is the comparison key. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
