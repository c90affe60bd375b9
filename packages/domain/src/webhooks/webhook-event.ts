import { randomBytes } from 'node:crypto';
import type { JsonValue, OutboxMessage } from '../outbox/outbox-message';

/** Every event a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'user.created',
  'user.email_verified',
  'user.email_changed',
  'user.password_changed',
  'user.deleted',
  'session.created',
  'session.revoked',
  'second_factor.enabled',
  'second_factor.disabled',
  'passkey.added',
  'passkey.removed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The outbox topic of events: one row per event, fanned out to the endpoints that want it. */
export const WEBHOOK_TOPIC = 'webhook';

/**
 * What an event says: always the user's id and address (as they were when the change
 * committed), never a secret, a token or a session's cookie; the session's public id for
 * session events.
 */
export interface WebhookEventData {
  user_id: number;
  email: string;
  [field: string]: JsonValue;
}

/** The body a receiver gets, in the Standard Webhooks shape. */
export interface WebhookEventBody {
  type: WebhookEventType;
  /** When the change committed, ISO 8601. */
  timestamp: string;
  data: WebhookEventData;
}

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** An event's id: the `webhook-id` of every attempt of every endpoint, so receivers can drop repeats. */
export function newEventId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

/**
 * An event as an outbox row: written in the change's transaction, its id and timestamp
 * fixed there. The payload is `{id, type, timestamp, data}`; the body sent is the last three.
 */
export function webhookMessage(type: WebhookEventType, data: WebhookEventData, at: number): OutboxMessage {
  return { topic: WEBHOOK_TOPIC, kind: type, payload: { id: newEventId(), type, timestamp: new Date(at).toISOString(), data } };
}

/** The body of an event's payload as sent: `{"type","timestamp","data"}`, in that order. */
export function webhookBody(payload: { type: unknown; timestamp: unknown; data: unknown }): string {
  return JSON.stringify({ type: payload.type, timestamp: payload.timestamp, data: payload.data });
}
