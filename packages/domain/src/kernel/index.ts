export * from './errors';
export * from './secrets';
export * from './clock';
export * from './email';
export * from './limiter';
export type * from './client-context';
export type * from './mail-message';
export * from './error-codes';
