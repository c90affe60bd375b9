// The exported contract suites on the published memory and bcrypt adapters, under node:test.
import { afterEach, beforeEach, describe, it } from 'node:test';
import { expect } from 'expect';
import { BcryptPasswordHasher } from '@latchkey/adapters/bcrypt';
import {
  MemoryAuditLog,
  MemoryPendingLoginRepository,
  MemorySecondFactorRepository,
  MemoryThrottleStore,
  MemoryApiKeyRepository,
  MemoryPasskeyChallengeStore,
  MemoryPasskeyRepository,
  MemoryUserRepository,
  MemoryWebhookStore,
  memoryStores,
} from '@latchkey/adapters/memory';
import {
  accountLifecycleContract,
  apiKeyRepositoryContract,
  auditLogContract,
  outboxContract,
  passkeyRepositoryContract,
  passwordHasherContract,
  passwordResetTokenRepositoryContract,
  secondFactorRepositoryContract,
  sessionRepositoryContract,
  throttleStoreContract,
  userRepositoryContract,
  webhookStoreContract,
} from '@latchkey/adapters/testing';

const framework = { describe, it, beforeEach, afterEach, expect };

userRepositoryContract(framework, 'memory', async () => ({ repository: memoryStores().users }), { persistent: false });
sessionRepositoryContract(framework, 'memory', async () => memoryStores());
passwordResetTokenRepositoryContract(framework, 'memory', async () => {
  const { users, resetTokens } = memoryStores();
  return { users, tokens: resetTokens };
});
accountLifecycleContract(framework, 'memory', async () => {
  const audit = new MemoryAuditLog();
  return { ...memoryStores(undefined, audit), audit };
});
secondFactorRepositoryContract(framework, 'memory', async () => ({
  users: new MemoryUserRepository(),
  factors: new MemorySecondFactorRepository(),
  pendingLogins: new MemoryPendingLoginRepository(),
}));
auditLogContract(framework, 'memory', async () => ({ log: new MemoryAuditLog() }));
outboxContract(framework, 'memory', async () => memoryStores());
webhookStoreContract(framework, 'memory', async () => {
  const stores = memoryStores();
  return { ...stores, store: new MemoryWebhookStore(stores.outbox), factors: new MemorySecondFactorRepository(stores.outbox) };
});
apiKeyRepositoryContract(framework, 'memory', async () => ({ keys: new MemoryApiKeyRepository() }));
passkeyRepositoryContract(framework, 'memory', async () => ({ users: new MemoryUserRepository(), passkeys: new MemoryPasskeyRepository(), challenges: new MemoryPasskeyChallengeStore() }));
throttleStoreContract(framework, 'memory', async () => {
  let now = Date.now();
  return { store: new MemoryThrottleStore({ now: () => now }), advance: async (ms) => void (now += ms) };
});
passwordHasherContract(framework, 'bcrypt', () => new BcryptPasswordHasher(5), () => new BcryptPasswordHasher(4));
