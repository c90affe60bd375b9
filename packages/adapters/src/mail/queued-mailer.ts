import type { MailMessage, Mailer } from '@latchkey/domain';

export interface QueueSettings {
  /** Tries per message, the first included. */
  attempts: number;
  /** Wait before the second try; doubled before each later one. */
  backoffMs: number;
  /** Called once a message is given up; never given the message body (it holds a token). */
  onFailure: (error: unknown, to: string, attempts: number) => void;
}

/**
 * Takes messages at once and delivers them in the background with retries, so a slow or
 * absent mail server neither slows nor fails the request that sent them. In memory only:
 * what it holds is lost with the process. The services send through the outbox instead
 * (OutboxWorker), which keeps each message in the database until it is delivered.
 */
export class QueuedMailer implements Mailer {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly inner: Mailer,
    private readonly settings: QueueSettings,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const delivery = this.deliver(message).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  /** Resolves when every message taken so far is delivered or given up (for shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deliver(message: MailMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.inner.send(message);
        return;
      } catch (error) {
        if (attempt >= this.settings.attempts) {
          this.settings.onFailure(error, message.to, attempt);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.settings.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }
}
