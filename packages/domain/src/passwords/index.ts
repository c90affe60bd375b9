export * from './password-policy';
export * from './password-resets';
export * from './password-reset-emails';
export * from './reset-throttle';
export type * from './reset-token-repository';
