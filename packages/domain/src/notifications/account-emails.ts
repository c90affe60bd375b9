import type { ClientContext } from '../kernel/client-context';
import type { MailMessage } from '../kernel/mail-message';
import { durationInWords, escapeHtml } from './mail-text';

/** The security notices, each of which an operator can switch off. */
export type SecurityNotice = 'password_changed' | 'email_changed' | 'password_reset' | 'account_deleted';

export const SECURITY_NOTICES: readonly SecurityNotice[] = ['password_changed', 'email_changed', 'password_reset', 'account_deleted'];

export interface AccountEmailSettings {
  productName: string;
  /** Link of a verification email; `{token}` is replaced. Without it the token itself is given. */
  verifyUrlTemplate?: string;
  /** Link of a change-of-email confirmation; `{token}` is replaced. Without it the token itself is given. */
  emailChangeUrlTemplate?: string;
  tokenTtlMs: number;
}

/** Who did it and when, as a notice tells the owner (no secret: time, address, agent). */
export interface NoticeContext {
  at: number;
  client: ClientContext;
}

export function verificationEmail(to: string, token: string, settings: AccountEmailSettings): MailMessage {
  return message(to, `Confirm your ${settings.productName} email address`, [
    `Someone signed up for ${settings.productName} with this address (${to}).`,
    `To confirm it is yours, use this link within ${durationInWords(settings.tokenTtlMs)}:`,
    '',
    linkOrToken(settings.verifyUrlTemplate, token, 'POST /verify_email'),
    '',
    'The link works once. If you did not sign up, ignore this email.',
  ]);
}

export function signupAttemptEmail(to: string, settings: AccountEmailSettings, context: NoticeContext): MailMessage {
  return message(to, `Someone tried to sign up to ${settings.productName} with your address`, [
    `Someone tried to create a ${settings.productName} account with your address (${to}), which already has one.`,
    ...who(context),
    '',
    'Your account is unchanged. If this was you, log in or reset your password instead.',
  ]);
}

export function emailChangeConfirmation(to: string, token: string, settings: AccountEmailSettings): MailMessage {
  return message(to, `Confirm your new ${settings.productName} email address`, [
    `Someone asked to move a ${settings.productName} account to this address (${to}).`,
    `To confirm, use this link within ${durationInWords(settings.tokenTtlMs)}:`,
    '',
    linkOrToken(settings.emailChangeUrlTemplate, token, 'POST /profile/email/confirm'),
    '',
    'The link works once. If you did not ask for it, ignore this email: nothing changes.',
  ]);
}

export function emailChangeRequestedNotice(to: string, newEmail: string, settings: AccountEmailSettings, context: NoticeContext): MailMessage {
  return message(to, `A change of your ${settings.productName} email address was requested`, [
    `Someone signed in to your ${settings.productName} account (${to}) asked to change its address to ${newEmail}.`,
    ...who(context),
    '',
    'Nothing changes until the link sent to the new address is used.',
    'If this was not you, change your password now.',
  ]);
}

export function emailChangedNotice(to: string, newEmail: string, settings: AccountEmailSettings, context: NoticeContext): MailMessage {
  return message(to, `Your ${settings.productName} email address was changed`, [
    `The address of your ${settings.productName} account is now ${newEmail}; this address (${to}) no longer signs in.`,
    ...who(context),
    '',
    'If this was not you, contact the operator of this service.',
  ]);
}

export function passwordChangedNotice(to: string, settings: AccountEmailSettings, context: NoticeContext, byReset: boolean): MailMessage {
  const how = byReset ? 'with a password reset link' : 'by a signed-in session';
  return message(to, `Your ${settings.productName} password was changed`, [
    `The password of your ${settings.productName} account (${to}) was changed ${how}; ${byReset ? 'every' : 'every other'} session was ended.`,
    ...who(context),
    '',
    'If this was not you, reset your password now.',
  ]);
}

export function accountDeletedNotice(to: string, settings: AccountEmailSettings, context: NoticeContext): MailMessage {
  return message(to, `Your ${settings.productName} account was deleted`, [
    `Your ${settings.productName} account (${to}) and its sessions were deleted.`,
    ...who(context),
    '',
    'The address is free: you can sign up again with it.',
  ]);
}

function who({ at, client }: NoticeContext): string[] {
  return [
    '',
    `When: ${new Date(at).toISOString()}`,
    `From address: ${client.ip || 'unknown'}`,
    `Browser or client: ${client.userAgent || 'unknown'}`,
  ];
}

function linkOrToken(template: string | undefined, token: string, route: string): string {
  if (template) return template.replaceAll('{token}', encodeURIComponent(token));
  return `Token: ${token} (send it as "token" to ${route})`;
}

function message(to: string, subject: string, body: string[]): MailMessage {
  const lines = ['Hello,', '', ...body];
  const html = lines.map((line) => (line === '' ? '' : `<p>${linkify(escapeHtml(line))}</p>`)).filter(Boolean).join('\n');
  return { to, subject, text: lines.join('\n'), html };
}

function linkify(line: string): string {
  return /^https?:\/\/\S+$/.test(line) ? `<a href="${line}">${line}</a>` : line;
}
