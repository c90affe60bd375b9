import { randomBytes } from 'node:crypto';
import { ValidationError } from '../kernel/errors';
import type { WebhookEventType } from './webhook-event';
import { isWebhookEventType } from './webhook-event';

/** One signing secret of an endpoint as stored: sealed; a rotated-out one until its overlap ends. */
export interface EndpointSecret {
  sealed: string;
  /** Null for the current secret; when a previous one stops signing. */
  expiresAt: number | null;
}

export interface NewWebhookEndpoint {
  url: string;
  /** The event types it receives; null for every type. */
  events: WebhookEventType[] | null;
  /** The current secret first. */
  secrets: EndpointSecret[];
  createdAt: number;
}

export interface WebhookEndpoint extends NewWebhookEndpoint {
  id: number;
}

/** The longest URL an endpoint may have: a bound on what each delivery row joins. */
export const ENDPOINT_URL_MAX = 2048;

/**
 * An endpoint's URL: `https://`, or plain `http://` only to this machine (127.0.0.1,
 * localhost: a receiver beside the service, or tests). No credentials in it: they would
 * be shown by every listing.
 */
export function checkedEndpointUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError('the webhook URL is not a URL');
  }
  if (text.length > ENDPOINT_URL_MAX) throw new ValidationError(`the webhook URL is longer than ${ENDPOINT_URL_MAX} characters`);
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new ValidationError('the webhook URL must be https://, or http:// to 127.0.0.1 or localhost');
  }
  if (url.username || url.password) throw new ValidationError('the webhook URL must not hold credentials');
  return url.toString();
}

/** Event types named by an operator (`user.created,session.revoked`); null (every type) for none. */
export function checkedEventTypes(names: readonly string[] | undefined): WebhookEventType[] | null {
  if (!names || names.length === 0) return null;
  const unknown = names.filter((name) => !isWebhookEventType(name));
  if (unknown.length > 0) throw new ValidationError(`unknown webhook event type: ${unknown.join(', ')}`);
  return [...new Set(names as WebhookEventType[])];
}

/** A secret as Standard Webhooks writes it: `whsec_` and the base64 of 32 random bytes. */
export function newEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Whether the endpoint receives events of the type. */
export function endpointWants(endpoint: Pick<NewWebhookEndpoint, 'events'>, type: string): boolean {
  return endpoint.events === null || (endpoint.events as readonly string[]).includes(type);
}

/** The secrets that sign at `now`: the current one first, then previous ones still in their overlap. */
export function signingSecrets(secrets: readonly EndpointSecret[], now: number): EndpointSecret[] {
  return secrets.filter((secret) => secret.expiresAt === null || secret.expiresAt > now);
}
