import type { MailMessage } from '../kernel/mail-message';

export type { MailMessage };

export interface MailSendOptions {
  /** Aborts the send (the outbox worker's deadline): it then rejects and the message is tried again. */
  signal?: AbortSignal;
}

export interface Mailer {
  /** Resolves once the message is accepted for delivery (which may happen later). */
  send(message: MailMessage, options?: MailSendOptions): Promise<void>;
}
