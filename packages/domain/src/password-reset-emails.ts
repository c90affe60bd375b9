import type { AuthService } from './auth-service';
import type { ClientContext } from './client-context';
import { UnknownUserError } from './errors';
import type { MailMessage, Mailer } from './ports/mailer';
import { parseEmail } from './users/email';

export interface ResetEmailSettings {
  /** Link to the page that completes the reset; `{token}` and `{email}` are replaced. */
  urlTemplate: string;
  /** Lifetime of a token, told to the reader. */
  tokenTtlMs: number;
  productName?: string;
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
    private readonly auth: AuthService,
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
    await this.auth.reserveResetRequest(email, client);
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
      issued = await this.auth.issuePasswordReset(email, client);
    } catch (error) {
      if (error instanceof UnknownUserError) return;
      throw error;
    }
    await this.mailer.send(composeResetEmail(issued.user.email, issued.token, this.settings));
  }
}

export function composeResetEmail(email: string, token: string, settings: ResetEmailSettings): MailMessage {
  const product = settings.productName ?? 'Latchkey';
  const link = settings.urlTemplate
    .replaceAll('{token}', encodeURIComponent(token))
    .replaceAll('{email}', encodeURIComponent(email));
  const ttl = durationInWords(settings.tokenTtlMs);
  const text = [
    'Hello,',
    '',
    `Someone asked to reset the password of your ${product} account (${email}).`,
    `To choose a new password, open this link within ${ttl}:`,
    '',
    link,
    '',
    'The link works once. If you did not ask for it, ignore this email: your password stays as it is.',
  ].join('\n');
  const html = [
    '<p>Hello,</p>',
    `<p>Someone asked to reset the password of your ${escapeHtml(product)} account (${escapeHtml(email)}).</p>`,
    `<p>To choose a new password, open this link within ${ttl}:</p>`,
    `<p><a href="${escapeHtml(link)}">Reset my password</a></p>`,
    '<p>The link works once. If you did not ask for it, ignore this email: your password stays as it is.</p>',
  ].join('\n');
  return { to: email, subject: `Reset your ${product} password`, text, html };
}

/** "30 minutes", "1 hour", "2 hours 15 minutes", "45 seconds". */
export function durationInWords(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const parts: Array<[number, string]> = [
    [Math.floor(totalSeconds / 86400), 'day'],
    [Math.floor((totalSeconds % 86400) / 3600), 'hour'],
    [Math.floor((totalSeconds % 3600) / 60), 'minute'],
    [totalSeconds % 60, 'second'],
  ];
  const words = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`);
  return words.length ? words.join(' ') : '0 seconds';
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
