export { BoundedPasswordHasher } from './bounded-password-hasher';
export type { HashLimits } from './bounded-password-hasher';
export { CommonPasswordList } from './common-password-list';
