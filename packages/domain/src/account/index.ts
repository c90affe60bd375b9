export type * from './account-repository';
export type * from './email-token-repository';
export * from './email-verification-mode';
export * from './account-lifecycle';
