export type * from './outbox-message';
export { OUTBOX_PAYLOAD_MAX_BYTES, serializedPayload } from './outbox-message';
export type * from './outbox-store';
export type * from './outbox';
export * from './outbox-worker';
export * from './mail-outbox';
