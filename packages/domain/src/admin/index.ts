export * from './api-key';
export type * from './api-key-repository';
export * from './admin-errors';
export * from './api-keys';
export * from './admin-actions';
