export { BcryptPasswordHasher } from './bcrypt-password-hasher';
export { ThreadedBcryptPasswordHasher } from './threaded-bcrypt-password-hasher';
export type { HashThreadOptions } from './threaded-bcrypt-password-hasher';
