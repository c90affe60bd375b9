export type * from './account-repository';
export * from './account-emails';
export * from './account-lifecycle';
