import type { ClientContext } from '../kernel/client-context';
import { UnknownUserError } from '../kernel/errors';
import type { ResetEmailText } from '../notifications/reset-email';
import { composeResetEmail } from '../notifications/reset-email';
import { parseEmail } from '../kernel/email';
import type { PasswordResets } from './password-resets';
import type { Outbox } from '../outbox/outbox';
import type { OutboxHandler } from '../outbox/outbox-worker';
import { UndeliverableError } from '../outbox/outbox-worker';
import { mailMessage } from '../outbox/mail-outbox';
import { clientOf, clientPayload, stringField } from '../outbox/payload-fields';

export type ResetEmailSettings = ResetEmailText;

/** A reset request waiting for its token and email: the worker's part of `request`. */
export const RESET_REQUEST_TOPIC = 'reset_request';

/**
 * Sends reset tokens by email instead of answering them: the token reaches only the
 * mailbox's owner. Unknown emails are silently ignored so callers cannot tell them apart.
 */
export class PasswordResetEmails {
  constructor(
    private readonly resets: Pick<PasswordResets, 'reserveRequest' | 'issue'>,
    private readonly outbox: Outbox,
    private readonly settings: ResetEmailSettings,
  ) {}

  /**
   * Counts the request against the reset throttle (TooManyResetRequestsError past its
   * limits, for any address alike), then writes one outbox row and returns: the same work
   * whether the address is registered or not, so the answer takes the same time; the
   * worker then issues the token and its email. A request answered is stored: a crash
   * after the answer does not lose it. An email no account can have is refused at once
   * (ValidationError), before the answer.
   */
  async request(email: string, client: ClientContext = {}): Promise<void> {
    email = parseEmail(email);
    await this.resets.reserveRequest(email, client);
    await this.outbox.add([{ topic: RESET_REQUEST_TOPIC, kind: 'reset_request', payload: { email, ...clientPayload(client) } }]);
  }

  /** Resolves once the outbox has delivered what is due, within its deadline (shutdown, tests). */
  async drain(): Promise<void> {
    await this.outbox.drain?.();
  }

  /** Issues a token and stores its email with it, in one step (the throttle is `request`'s part). */
  async send(email: string, client: ClientContext = {}): Promise<void> {
    try {
      await this.resets.issue(email, client, (user, token) => [mailMessage('reset_link', composeResetEmail(user.email, token, this.settings))]);
    } catch (error) {
      if (error instanceof UnknownUserError) return;
      throw error;
    }
    this.outbox.wake();
  }

  /** The outbox's handler of reset requests. */
  outboxHandlers(): Record<string, OutboxHandler> {
    return {
      [RESET_REQUEST_TOPIC]: {
        deliver: async (message) => {
          const email = stringField(message.payload, 'email');
          if (email === undefined) throw new UndeliverableError(`reset request ${message.id} names no email`);
          await this.send(email, clientOf(message.payload));
        },
      },
    };
  }
}
