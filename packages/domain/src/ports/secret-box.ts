/**
 * Seals secrets for storage (authenticated encryption) and opens them. `context` binds a
 * sealed value to its owner: a value copied to another user's row does not open.
 * Either method may throw SecretBoxUnavailableError (no key configured).
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}
