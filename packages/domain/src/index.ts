export * from './user';
export * from './errors';
export * from './secrets';
export * from './password-policy';
export * from './auth-service';
export type * from './ports/user-repository';
export type * from './ports/password-hasher';
export * from './ports/clock';
export * from './user-filters';
