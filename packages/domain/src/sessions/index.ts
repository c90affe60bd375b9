export * from './session';
export type * from './session-repository';
export * from './session-rules';
export * from './session-manager';
