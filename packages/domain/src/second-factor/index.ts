export * from './second-factor';
export type * from './second-factor-repository';
export * from './second-factor-errors';
export * from './second-factor-throttle';
export * from './second-factors';
export * from './recovery-codes';
export * from './totp';
export * from './unconfigured-second-factors';
