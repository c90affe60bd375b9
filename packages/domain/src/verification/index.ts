export type * from './email-token-repository';
export * from './email-verification-mode';
