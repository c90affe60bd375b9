export type * from './password-hasher';
export type * from './mailer';
export type * from './throttle-store';
export type * from './audit-log';
export type * from './secret-box';
