import nodemailer from 'nodemailer';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { MailMessage, MailSendOptions, Mailer } from '@latchkey/domain';

export interface SmtpSettings {
  /** smtp://user:pass@host:port or smtps://… */
  url: string;
  from: string;
  /** Give up on a connection or a reply after this long. */
  timeoutMs?: number;
  /** Deadline of a whole send, every step together (a server that answers slowly, line by line). */
  sendTimeoutMs?: number;
}

/** A send that takes longer than this is abandoned (its connection closed) and fails. */
export const DEFAULT_SMTP_SEND_TIMEOUT_MS = 30_000;

/** Sends through an SMTP server (nodemailer), each send under a deadline. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly sendTimeoutMs: number;

  constructor(private readonly settings: SmtpSettings) {
    this.sendTimeoutMs = settings.sendTimeoutMs ?? DEFAULT_SMTP_SEND_TIMEOUT_MS;
    const timeout = settings.timeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport({
      url: settings.url,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  /** Rejects past sendTimeoutMs or when `signal` aborts: nodemailer then closes the connection. */
  async send(message: MailMessage, options: MailSendOptions = {}): Promise<void> {
    const deadline = AbortSignal.timeout(this.sendTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    // nodemailer 10 takes a signal; its type definitions do not name it yet.
    await this.transport.sendMail({ from: this.settings.from, ...message, signal } as SendMailOptions);
  }

  /** Connects and greets the server: a start-up check that the configuration works. */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  close(): void {
    this.transport.close();
  }
}
