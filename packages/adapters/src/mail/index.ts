export { SmtpMailer } from './smtp-mailer';
export { DEFAULT_SMTP_SEND_TIMEOUT_MS } from './smtp-mailer';
export type { SmtpSettings } from './smtp-mailer';
export { FileMailer } from './file-mailer';
export { QueuedMailer } from './queued-mailer';
