/** A registered user. The first five fields are the contract's `users` columns. */
export interface User {
  id: number;
  email: string;
  hashedPassword: string;
  /** SHA-256 digest of the session id: the cookie itself is never stored. */
  sessionId: string | null;
  /** SHA-256 digest of the reset token: the token itself is never stored. */
  resetToken: string | null;
  /** Epoch milliseconds; null when there is no session. */
  sessionCreatedAt: number | null;
  /** Epoch milliseconds of the last recorded use of the session. */
  sessionSeenAt: number | null;
  /** Epoch milliseconds after which the reset token no longer works. */
  resetTokenExpiresAt: number | null;
}

export type UserAttribute = keyof User;

/** A user as addUser first stores it: no session, no reset token. */
export function newUser(id: number, email: string, hashedPassword: string): User {
  return {
    id,
    email,
    hashedPassword,
    sessionId: null,
    resetToken: null,
    sessionCreatedAt: null,
    sessionSeenAt: null,
    resetTokenExpiresAt: null,
  };
}

export const USER_ATTRIBUTES: readonly UserAttribute[] = [
  'id',
  'email',
  'hashedPassword',
  'sessionId',
  'resetToken',
  'sessionCreatedAt',
  'sessionSeenAt',
  'resetTokenExpiresAt',
];

export function isUserAttribute(key: string): key is UserAttribute {
  return (USER_ATTRIBUTES as readonly string[]).includes(key);
}

/** Emails are unique and looked up regardless of case; this is the comparison key. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
