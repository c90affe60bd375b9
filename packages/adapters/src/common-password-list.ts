import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DEFAULT_LIST = fileURLToPath(new URL('../data/common-passwords-10k.txt', import.meta.url));

/** The most common passwords (one a line in a shipped file), compared without regard to case. */
export class CommonPasswordList {
  private readonly passwords: Set<string>;

  constructor(file: string = DEFAULT_LIST) {
    const lines = readFileSync(file, 'utf8').split('\n');
    this.passwords = new Set(lines.map((line) => line.trim().toLowerCase()).filter(Boolean));
  }

  get size(): number {
    return this.passwords.size;
  }

  has(password: string): boolean {
    return this.passwords.has(password.toLowerCase());
  }
}
