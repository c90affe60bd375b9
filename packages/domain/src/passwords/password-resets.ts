import type { WebhookEvents } from '../webhooks/webhook-events';
import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import { parseEmail } from '../kernel/email';
import { InvalidResetTokenError, UnknownUserError } from '../kernel/errors';
import type { ResetThrottle, ResetTokenThrottle, TokenAttempt } from './reset-throttle';
import type { SessionManager } from '../sessions/session-manager';
import { findUserOrNull } from '../users/find-user';
import type { PasswordPolicy } from './password-policy';
import type { Clock } from '../kernel/clock';
import type { OutboxMessage } from '../outbox/outbox-message';
import type { PasswordHasher } from '../ports/password-hasher';
import type { UserRepository } from '../users/user-repository';
import { digestSecret, newSecret } from '../kernel/secrets';
import type { User } from '../users/user';
import type { PasswordResetTokenRepository, StoredResetToken } from './reset-token-repository';

export interface PasswordResetSettings {
  resetTokenTtlMs: number;
  /** Live tokens a user may hold at once; a new request drops the oldest beyond it. */
  resetTokensPerUser: number;
}

export interface PasswordResetDeps {
  users: UserRepository;
  tokens: PasswordResetTokenRepository;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  clock: Clock;
  settings: PasswordResetSettings;
  audit: AuditRecorder;
  /** Limits reset requests per email and per client address; none when absent. */
  throttle?: ResetThrottle;
  /** Limits wrong reset tokens per email and per client address; none when absent. */
  tokenThrottle?: ResetTokenThrottle;
  /** Its changePassword is the last step of a reset, one atomic call: the new hash, every session of the user ended, the notice written. */
  sessions: Pick<SessionManager, 'changePassword'>;
  /** The security notice of a reset, written with the new password. */
  resetNotice?: (user: User, client: ClientContext) => readonly OutboxMessage[];
  /** The user.password_changed event of a reset, written with it. */
  events?: WebhookEvents;
}

/** The emails that carry a new token (its link), written with the token in one step. */
export type ResetMail = (user: User, token: string) => readonly OutboxMessage[];

/**
 * The rules of reset tokens: issuing keeps the user's other live tokens (a request by
 * someone else does not void a link already sent); using one is a single atomic step that
 * only one request can win, taken before the new password is hashed, and ends every token
 * and session of the user.
 */
export class PasswordResets {
  constructor(private readonly deps: PasswordResetDeps) {}

  get settings(): PasswordResetSettings {
    return this.deps.settings;
  }

  /**
   * A client's reset request: counted by the reset throttle (TooManyResetRequestsError
   * past its limits), then a token is issued; UnknownUserError when no user has the email.
   */
  async request(email: string, client: ClientContext = {}, mail?: ResetMail): Promise<{ user: User; token: string }> {
    const address = parseEmail(email);
    await this.reserveRequest(address, client);
    return this.issueFor(address, client, mail);
  }

  /** Counts a reset request against the throttle, for callers that issue the token later. */
  async reserveRequest(email: string, client: ClientContext = {}): Promise<void> {
    await this.deps.throttle?.reserve(email, client);
  }

  /**
   * Issues a reset token for the user of this email, without the throttle (the request
   * was counted already, or an operator asks); UnknownUserError when none. The user's
   * other live tokens keep working; `mail` makes the emails stored with the token, in one step.
   */
  issue(email: string, client: ClientContext = {}, mail?: ResetMail): Promise<{ user: User; token: string }> {
    return this.issueFor(parseEmail(email), client, mail);
  }

  private async issueFor(email: string, client: ClientContext, mail?: ResetMail): Promise<{ user: User; token: string }> {
    const user = await findUserOrNull(this.deps.users, { email });
    await this.deps.audit.record('reset_requested', client, { userId: user?.id, email });
    if (!user) throw new UnknownUserError();
    return { user, token: await this.newToken(user, mail) };
  }

  /** A new token for the user; only its digest is stored, with the emails `mail` makes of it. */
  private async newToken(user: User, mail?: ResetMail): Promise<string> {
    const { tokens, clock, settings } = this.deps;
    const token = newSecret();
    const now = clock.now();
    await tokens.issue(
      { userId: user.id, digest: digestSecret(token), expiresAt: now + settings.resetTokenTtlMs },
      { now, keep: settings.resetTokensPerUser },
      mail?.(user, token),
    );
    return token;
  }

  /**
   * Sets a new password with a token (issued for `email` when given) and returns the user.
   * A password the policy refuses leaves the token usable.
   */
  async redeem(token: string, password: string, email?: string, client: ClientContext = {}): Promise<User> {
    if (!token) throw new InvalidResetTokenError();
    this.deps.policy.check(password);
    const consumed = await this.checkToken(token, email, client);
    const user = await this.deps.users.findUserBy({ id: consumed.userId });
    const hashedPassword = await this.hashOrGiveBack(password, consumed);
    const changed = await this.deps.events?.prepare('user.password_changed');
    const messages = [...(this.deps.resetNotice?.(user, client) ?? []), ...(changed?.messages({ user_id: user.id, email: user.email, reason: 'reset' }) ?? [])];
    await this.deps.sessions.changePassword(user.id, hashedPassword, client, messages);
    changed?.committed();
    return user;
  }

  /**
   * Uses the token up, its units of the throttle taken before the lookup: a wrong token
   * keeps them (InvalidResetTokenError), a right one settles them.
   */
  private async checkToken(token: string, email: string | undefined, client: ClientContext): Promise<StoredResetToken> {
    const attempt: TokenAttempt | undefined = await this.deps.tokenThrottle?.reserve(email, client);
    let consumed: StoredResetToken | null;
    try {
      consumed = await this.deps.tokens.consume(digestSecret(token), { now: this.deps.clock.now(), email });
    } catch (error) {
      await attempt?.abandoned();
      throw error;
    }
    if (!consumed) throw new InvalidResetTokenError();
    await attempt?.succeeded();
    return consumed;
  }

  /** Hashing refused (overload) changed nothing, so the token is given back to be used again. */
  private async hashOrGiveBack(password: string, consumed: StoredResetToken): Promise<string> {
    try {
      return await this.deps.hasher.hash(password);
    } catch (error) {
      await this.deps.tokens.issue(consumed, { now: this.deps.clock.now(), keep: this.deps.settings.resetTokensPerUser });
      throw error;
    }
  }
}
