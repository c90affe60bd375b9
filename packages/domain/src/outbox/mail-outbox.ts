import type { MailMessage } from '../kernel/mail-message';
import type { Mailer } from '../ports/mailer';
import type { ClaimedMessage, OutboxMessage } from './outbox-message';
import type { OutboxHandler } from './outbox-worker';
import { UndeliverableError } from './outbox-worker';

/** The topic of emails: the payload is the message as rendered when its change committed. */
export const MAIL_TOPIC = 'mail';

/**
 * An email as an outbox message. The rendered message is stored rather than the inputs of
 * its text: what commits is exactly what is sent, the worker needs no settings or
 * templates, and a row written by one release is sent alike by the next.
 */
export function mailMessage(kind: string, message: MailMessage): OutboxMessage {
  const { to, subject, text, html } = message;
  return { topic: MAIL_TOPIC, kind, payload: { to, subject, text, html } };
}

/** Sends the emails of the outbox through the mailer, under the worker's deadline. */
export function mailDelivery(mailer: Mailer): OutboxHandler {
  return {
    deliver: async (message, signal) => mailer.send(mailOf(message), { signal }),
    describe: (message) => ({ to: typeof message.payload.to === 'string' ? message.payload.to : '' }),
  };
}

function mailOf(message: ClaimedMessage): MailMessage {
  const { to, subject, text, html } = message.payload;
  if (typeof to !== 'string' || typeof subject !== 'string' || typeof text !== 'string' || typeof html !== 'string') {
    throw new UndeliverableError(`outbox message ${message.id} is not an email`);
  }
  return { to, subject, text, html };
}
