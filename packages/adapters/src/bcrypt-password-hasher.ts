import bcrypt from 'bcrypt';
import type { PasswordHasher } from '@latchkey/domain';

/** bcrypt on libuv's thread pool: hashing never blocks the event loop. */
export class BcryptPasswordHasher implements PasswordHasher {
  constructor(private readonly rounds: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  verify(password: string, hashedPassword: string): Promise<boolean> {
    return bcrypt.compare(password, hashedPassword).catch(() => false);
  }

  needsRehash(hashedPassword: string): boolean {
    try {
      return bcrypt.getRounds(hashedPassword) < this.rounds;
    } catch {
      return true;
    }
  }
}
