export * from './password-resets';
export * from './reset-throttle';
export type * from './reset-token-repository';
