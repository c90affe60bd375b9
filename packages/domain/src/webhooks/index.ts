export * from './webhook-event';
export * from './webhook-events';
export * from './webhook-endpoint';
export * from './webhook-endpoints';
export * from './webhook-errors';
export type * from './webhook-ports';
export type * from './webhook-store';
export * from './webhook-dispatcher';
