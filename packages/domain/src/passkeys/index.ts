export * from './passkey';
export type * from './passkey-repository';
export type * from './webauthn-ceremony';
export * from './passkey-errors';
export * from './passkeys';
export * from './unconfigured-passkeys';
export * from './passkey-ceremony-throttle';
