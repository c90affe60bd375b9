import { NoResultFound } from '@latchkey/domain';
import type { AuthService, User, UserRepository } from '@latchkey/domain';
import { UserNotFoundError } from '../cli-errors';
import { isoTime } from '../output';

export async function findUserByEmail(users: UserRepository, email: string): Promise<User> {
  try {
    return await users.findUserBy({ email });
  } catch (error) {
    if (error instanceof NoResultFound) throw new UserNotFoundError(email);
    throw error;
  }
}

/** What the CLI shows of a user: never a password hash, session id or token digest. */
export interface UserView {
  id: number;
  email: string;
  session_active: boolean;
  session_started_at: string | null;
  session_last_seen_at: string | null;
  reset_token_pending: boolean;
  reset_token_expires_at: string | null;
}

export function viewUser(user: User, auth: AuthService, now = Date.now()): UserView {
  const active = auth.hasActiveSession(user);
  const resetPending = user.resetToken !== null && (user.resetTokenExpiresAt ?? 0) > now;
  return {
    id: user.id,
    email: user.email,
    session_active: active,
    session_started_at: active ? isoTime(user.sessionCreatedAt) : null,
    session_last_seen_at: active ? isoTime(user.sessionSeenAt) : null,
    reset_token_pending: resetPending,
    reset_token_expires_at: resetPending ? isoTime(user.resetTokenExpiresAt) : null,
  };
}
