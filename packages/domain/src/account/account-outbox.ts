import type { NoticeContext } from '../notifications/account-emails';
import type { OutboxMessage } from '../outbox/outbox-message';
import { clientPayload } from '../outbox/payload-fields';

/**
 * Follow-ups of the account lifecycle that go through the outbox as work of their own: a
 * request is answered once its row is written (the same one insert, whoever asks), and the
 * worker then looks the account up and writes the email, off the request's time.
 */
export const VERIFICATION_REQUEST_TOPIC = 'verification_request';
export const SIGNUP_ATTEMPT_TOPIC = 'signup_attempt';

/** A verification link to issue and mail, to the account of the id or of the address, if still unverified. */
export function verificationRequest(kind: 'sign_up' | 'resend', who: { userId: number } | { email: string }): OutboxMessage {
  return { topic: VERIFICATION_REQUEST_TOPIC, kind, payload: { ...who } };
}

/** "Someone tried to sign up with your address", to the account of the address. */
export function signupAttempt(email: string, context: NoticeContext): OutboxMessage {
  return { topic: SIGNUP_ATTEMPT_TOPIC, kind: 'signup_attempt', payload: { email, at: context.at, ...clientPayload(context.client) } };
}
