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
  created_at: string | null;
  email_verified: boolean;
  email_verified_at: string | null;
  /** Live sessions (devices logged in). */
  sessions: number;
  session_active: boolean;
  /** Of the most recently used session. */
  session_started_at: string | null;
  session_last_seen_at: string | null;
  reset_token_pending: boolean;
  reset_token_expires_at: string | null;
}

export async function viewUser(user: User, auth: AuthService, now = Date.now()): Promise<UserView> {
  const sessions = await auth.sessions.list(user.id);
  const latest = sessions[0];
  const resetPending = user.resetToken !== null && (user.resetTokenExpiresAt ?? 0) > now;
  return {
    id: user.id,
    email: user.email,
    created_at: isoTime(await auth.account.registeredAt(user.id)),
    email_verified: user.emailVerifiedAt !== null,
    email_verified_at: user.emailVerifiedAt === null ? null : isoTime(user.emailVerifiedAt),
    sessions: sessions.length,
    session_active: latest !== undefined,
    session_started_at: latest ? isoTime(latest.createdAt) : null,
    session_last_seen_at: latest ? isoTime(latest.lastSeenAt) : null,
    reset_token_pending: resetPending,
    reset_token_expires_at: resetPending ? isoTime(user.resetTokenExpiresAt) : null,
  };
}
