export * from './password-policy';
export * from './password-resets';
export * from './password-reset-emails';
export * from './reset-throttle';
export * from './reset-token-errors';
export type * from './reset-token-repository';
