import type { MailMessage } from '../kernel/mail-message';

export type { MailMessage };

export interface Mailer {
  /** Resolves once the message is accepted for delivery (which may happen later). */
  send(message: MailMessage): Promise<void>;
}
