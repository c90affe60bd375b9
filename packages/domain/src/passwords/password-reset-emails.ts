import type { ClientContext } from '../kernel/client-context';
import { UnknownUserError } from '../kernel/errors';
import type { Mailer } from '../ports/mailer';
import type { ResetEmailText } from '../notifications/reset-email';
import { composeResetEmail } from '../notifications/reset-email';
import { parseEmail } from '../kernel/email';
import type { PasswordResets } from './password-resets';

export interface ResetEmailSettings extends ResetEmailText {
  /** Told of a failure of a request made with `request` (nobody else would hear of it). */
  onError?: (error: unknown) => void;
}

/**
 * Sends reset tokens by email instead of answering them: the token reaches only the
 * mailbox's owner. Unknown emails are silently ignored so callers cannot tell them apart.
 */
export class PasswordResetEmails {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly resets: Pick<PasswordResets, 'reserveRequest' | 'issue'>,
    private readonly mailer: Mailer,
    private readonly settings: ResetEmailSettings,
  ) {}

  /**
   * Counts the request against the reset throttle (TooManyResetRequestsError past its
   * limits, for any address alike), then starts `send` and returns: the caller's answer
   * takes the same time whether the address is registered or not. An email no account
   * can have is refused at once (ValidationError), before the answer.
   */
  async request(email: string, client: ClientContext = {}): Promise<void> {
    email = parseEmail(email);
    await this.resets.reserveRequest(email, client);
    const task = this.send(email, client)
      .catch((error: unknown) => this.settings.onError?.(error))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves when every request started so far has finished (for shutdown and tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Issues a token and mails it (the throttle is `request`'s part). */
  async send(email: string, client: ClientContext = {}): Promise<void> {
    let issued;
    try {
      issued = await this.resets.issue(email, client);
    } catch (error) {
      if (error instanceof UnknownUserError) return;
      throw error;
    }
    await this.mailer.send(composeResetEmail(issued.user.email, issued.token, this.settings));
  }
}
