export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hashedPassword: string): Promise<boolean>;
  /** True when the hash was made with weaker settings than the current ones. */
  needsRehash(hashedPassword: string): boolean;
}
