/** A value JSON can carry: what an outbox payload is made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The payload of an outbox message: a JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Work to do once a change has committed (an email to send, later a webhook to call),
 * written in the transaction of that change: both are stored, or neither is.
 */
export interface OutboxMessage {
  /** Which handler delivers it: `mail`, or a follow-up of the domain's (see each topic). */
  topic: string;
  /** What it is within its topic (`reset_link`, `password_changed`…): logged, never secret. */
  kind: string;
  /** What delivery needs. It may carry a secret (a link's token): it is never logged. */
  payload: JsonObject;
}

/** A message a worker holds for one try: only the holder of `claim` can settle it. */
export interface ClaimedMessage extends OutboxMessage {
  id: number;
  /** Tries so far, this one included. */
  attempts: number;
  /** The claim's token, new for every claim: a worker whose lease ran out settles nothing. */
  claim: string;
}

/**
 * Rows too large for an outbox are refused before anything is written: an email of ours
 * is a few kilobytes; a bound keeps a mistake from filling the table.
 */
export const OUTBOX_PAYLOAD_MAX_BYTES = 256 * 1024;

/** The stored form of a payload (JSON text); throws on a payload no row may hold. */
export function serializedPayload(message: OutboxMessage): string {
  const text = JSON.stringify(message.payload);
  if (typeof text !== 'string' || Buffer.byteLength(text) > OUTBOX_PAYLOAD_MAX_BYTES) {
    throw new RangeError(`outbox payload of ${message.topic}/${message.kind} is not JSON of at most ${OUTBOX_PAYLOAD_MAX_BYTES} bytes`);
  }
  return text;
}
