export * from './signing-key';
export * from './key-timeline';
export type * from './signing-key-repository';
export type * from './token-signer';
export * from './token-errors';
export * from './session-tokens';
export * from './unconfigured-tokens';
