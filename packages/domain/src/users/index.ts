export * from './user';
export * from './user-filters';
export type * from './user-repository';
