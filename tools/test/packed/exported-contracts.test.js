// The exported contract suites on the published memory and bcrypt adapters, under node:test.
import { afterEach, beforeEach, describe, it } from 'node:test';
import { expect } from 'expect';
import { BcryptPasswordHasher } from '@latchkey/adapters/bcrypt';
import { MemoryAuditLog, MemoryThrottleStore, memoryStores } from '@latchkey/adapters/memory';
import {
  auditLogContract,
  passwordHasherContract,
  passwordResetTokenRepositoryContract,
  sessionRepositoryContract,
  throttleStoreContract,
  userRepositoryContract,
} from '@latchkey/adapters/testing';

const framework = { describe, it, beforeEach, afterEach, expect };

userRepositoryContract(framework, 'memory', async () => ({ repository: memoryStores().users }), { persistent: false });
sessionRepositoryContract(framework, 'memory', async () => memoryStores());
passwordResetTokenRepositoryContract(framework, 'memory', async () => {
  const { users, resetTokens } = memoryStores();
  return { users, tokens: resetTokens };
});
auditLogContract(framework, 'memory', async () => ({ log: new MemoryAuditLog() }));
throttleStoreContract(framework, 'memory', async () => {
  let now = Date.now();
  return { store: new MemoryThrottleStore({ now: () => now }), advance: async (ms) => void (now += ms) };
});
passwordHasherContract(framework, 'bcrypt', () => new BcryptPasswordHasher(5), () => new BcryptPasswordHasher(4));
