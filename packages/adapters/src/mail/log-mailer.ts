import type { MailMessage, Mailer } from '@latchkey/domain';

/** For development: writes each message (with its link) to the log instead of sending it. */
export class LogMailer implements Mailer {
  constructor(private readonly log: (line: string) => void) {}

  async send(message: MailMessage): Promise<void> {
    this.log(`Email to ${message.to}: ${message.subject}\n${message.text}`);
  }
}
