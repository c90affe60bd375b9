import type { ClientContext } from '../kernel/client-context';
import type { JsonObject } from './outbox-message';

/** Who asked, as a payload holds it (JSON has no undefined). */
export function clientPayload(client: ClientContext): JsonObject {
  const payload: JsonObject = {};
  if (client.ip !== undefined) payload.ip = client.ip;
  if (client.userAgent !== undefined) payload.userAgent = client.userAgent;
  return payload;
}

export function clientOf(payload: JsonObject): ClientContext {
  const client: ClientContext = {};
  if (typeof payload.ip === 'string') client.ip = payload.ip;
  if (typeof payload.userAgent === 'string') client.userAgent = payload.userAgent;
  return client;
}

export function stringField(payload: JsonObject, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberField(payload: JsonObject, name: string): number | undefined {
  const value = payload[name];
  return typeof value === 'number' ? value : undefined;
}
