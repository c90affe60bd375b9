import type { MailMessage } from '../kernel/mail-message';
import { durationInWords, escapeHtml } from './mail-text';

/** What the reset email says: its link and the lifetime of its token. */
export interface ResetEmailText {
  /** Link to the page that completes the reset; `{token}` and `{email}` are replaced. */
  urlTemplate: string;
  /** Lifetime of a token, told to the reader. */
  tokenTtlMs: number;
  productName?: string;
}

export function composeResetEmail(email: string, token: string, settings: ResetEmailText): MailMessage {
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
