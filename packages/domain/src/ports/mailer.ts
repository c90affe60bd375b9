export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Resolves once the message is accepted for delivery (which may happen later). */
  send(message: MailMessage): Promise<void>;
}
