import { afterAll, describe, expect, it } from 'vitest';
import bcrypt from 'bcrypt';
import { ThreadedBcryptPasswordHasher } from '../src';

const opened: ThreadedBcryptPasswordHasher[] = [];
const open = (cost: number, threads = 1) => {
  const hasher = new ThreadedBcryptPasswordHasher(cost, { threads, nice: 10 });
  opened.push(hasher);
  return hasher;
};
afterAll(async () => {
  await Promise.all(opened.map((hasher) => hasher.close()));
});

// The PasswordHasher contract runs on every hasher in contracts.test.ts.

describe('ThreadedBcryptPasswordHasher', () => {
  it('makes hashes bcrypt itself verifies, on every thread', async () => {
    const hasher = open(4, 2);
    const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hasher.hash(`pw${i}`)));
    for (const [i, hash] of hashes.entries()) {
      expect(hash.startsWith('$2b$04$')).toBe(true);
      expect(await bcrypt.compare(`pw${i}`, hash)).toBe(true);
    }
  });

  it('refuses a password that is not a string', async () => {
    await expect(open(4).hash(undefined as unknown as string)).rejects.toThrow(TypeError);
  });

  it('fails pending work when closed', async () => {
    const hasher = new ThreadedBcryptPasswordHasher(10, { threads: 1, nice: 0 });
    const failed = expect(hasher.hash('pw')).rejects.toThrow(/closed/);
    await hasher.close();
    await failed;
  });
});
