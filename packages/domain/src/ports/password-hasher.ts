export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hashedPassword: string): Promise<boolean>;
  /** True when the hash was made with weaker settings than the current ones. */
  needsRehash(hashedPassword: string): boolean;
  /**
   * Throws what a verify started now would be refused with (the hashing is saturated), if
   * anything: a login asks before its lookups, so that refusing it costs as little as it can.
   */
  assertCapacity?(): void;
}
