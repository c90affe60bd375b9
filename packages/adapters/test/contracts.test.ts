/**
 * Every exported contract suite against every backend that has an adapter for its port:
 * BACKENDS says what each backend offers (fresh storage for the repository suites, a
 * throttle store, a password hasher), SUITES says which of these each suite runs on. A new
 * adapter is a line in its backend; a new backend or a new suite is one entry.
 *
 * A backend that needs PostgreSQL or Redis is skipped, with the reason printed, where that
 * server does not answer; LATCHKEY_REQUIRE_SERVICES=1 (CI) makes this file fail instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe } from 'vitest';
import type { AccountRepository, AuditLog, EmailTokenRepository, PasswordHasher, PasswordResetTokenRepository, PendingLoginRepository, SecondFactorRepository, SessionRepository, UserRepository } from '@latchkey/domain';
import {
  accountLifecycleContract,
  apiKeyRepositoryContract,
  auditLogContract,
  outboxContract,
  passkeyRepositoryContract,
  passwordHasherContract,
  passwordResetTokenRepositoryContract,
  signingKeyRepositoryContract,
  secondFactorRepositoryContract,
  sessionRepositoryContract,
  throttleStoreContract,
  userRepositoryContract,
  webhookStoreContract,
} from '@latchkey/adapters/testing';
import type { ApiKeyStoreFixture, OutboxFixture, PasskeyStoreFixture, SigningKeyStoreFixture, ThrottleFixture, WebhookStoreFixture } from '@latchkey/adapters/testing';
import {
  BcryptPasswordHasher,
  BoundedPasswordHasher,
  KnexAccountRepository,
  KnexApiKeyRepository,
  KnexAuditLog,
  KnexEmailTokenRepository,
  KnexOutboxStore,
  KnexPasskeyChallengeStore,
  KnexPasskeyRepository,
  KnexPasswordResetTokenRepository,
  KnexPendingLoginRepository,
  KnexSecondFactorRepository,
  KnexSessionRepository,
  KnexSigningKeyRepository,
  KnexUserRepository,
  KnexWebhookStore,
  MemoryApiKeyRepository,
  MemoryAuditLog,
  MemoryPasskeyChallengeStore,
  MemoryPasskeyRepository,
  MemoryUserRepository,
  MemoryPendingLoginRepository,
  MemorySecondFactorRepository,
  MemorySigningKeyRepository,
  MemoryThrottleStore,
  MemoryWebhookStore,
  RedisThrottleStore,
  ThreadedBcryptPasswordHasher,
  createKnex,
  memoryStores,
  migrateToLatest,
} from '../src';
import type { Knex, SqliteDriver } from '../src';
import { TEST_REDIS_URL, checkPostgres, checkRedis, createScratchDatabase, uniqueKeyPrefix } from './real-services';
import type { ScratchDatabase, ServiceCheck } from './real-services';
import { vitestApi } from './support/vitest-api';

/** Every repository and the audit log, on one fresh storage of a backend. */
interface Storage {
  users: UserRepository;
  sessions: SessionRepository;
  resetTokens: PasswordResetTokenRepository;
  emailTokens: EmailTokenRepository;
  accounts: AccountRepository;
  audit: AuditLog;
  factors: SecondFactorRepository;
  pendingLogins: PendingLoginRepository;
  /** Users through a second instance on the same storage, where the storage outlives one. */
  reopenUsers?: () => Promise<UserRepository>;
  close?: () => Promise<void>;
}

/** What a backend offers the suites; each is opened afresh for every test. */
interface Ports {
  storage: () => Promise<Storage>;
  throttleStore: () => Promise<ThrottleFixture>;
  /** The outbox with the repositories that write to it, and a rival claimer on a second connection. */
  outbox: () => Promise<OutboxFixture>;
  /** The signing keys of tokens, and the same storage through a second pool where it has one. */
  signingKeys: () => Promise<SigningKeyStoreFixture>;
  /** Webhook endpoints and deliveries with the repositories whose changes write events, and a rival on a second connection. */
  webhooks: () => Promise<WebhookStoreFixture>;
  /** The admin API's keys. */
  apiKeys: () => Promise<ApiKeyStoreFixture>;
  /** Passkeys and the challenges of their ceremonies, and the same storage through a second pool where it has one. */
  passkeys: () => Promise<PasskeyStoreFixture>;
  /** A hasher, and one of the same kind with weaker settings. */
  passwordHasher: { make: () => PasswordHasher; weaker: () => PasswordHasher };
}

interface Backend extends Partial<Ports> {
  name: string;
  /** Its storage lives in the process only: no second instance can reopen it. */
  inProcess?: true;
  /** The real server it needs, checked once for the run. */
  requires?: () => Promise<ServiceCheck>;
  /** Around all of its suites (a scratch database, hashers to close). */
  beforeAll?: () => Promise<void>;
  afterAll?: () => Promise<void>;
}

type Suite = { [P in keyof Ports]: { port: P; run: (backend: Backend, port: Ports[P]) => void } }[keyof Ports];

const SUITES: Suite[] = [
  {
    port: 'storage',
    run: (backend, open) =>
      userRepositoryContract(
        vitestApi,
        backend.name,
        async () => {
          const storage = await open();
          return { repository: storage.users, reopen: storage.reopenUsers, close: storage.close };
        },
        { persistent: !backend.inProcess },
      ),
  },
  { port: 'storage', run: (backend, open) => sessionRepositoryContract(vitestApi, backend.name, open) },
  {
    port: 'storage',
    run: (backend, open) =>
      passwordResetTokenRepositoryContract(vitestApi, backend.name, async () => {
        const { users, resetTokens, close } = await open();
        return { users, tokens: resetTokens, close };
      }),
  },
  { port: 'storage', run: (backend, open) => accountLifecycleContract(vitestApi, backend.name, open) },
  { port: 'storage', run: (backend, open) => secondFactorRepositoryContract(vitestApi, backend.name, open) },
  {
    port: 'storage',
    run: (backend, open) =>
      auditLogContract(vitestApi, backend.name, async () => {
        const { audit, close } = await open();
        return { log: audit, close };
      }),
  },
  { port: 'outbox', run: (backend, open) => outboxContract(vitestApi, backend.name, open) },
  { port: 'signingKeys', run: (backend, open) => signingKeyRepositoryContract(vitestApi, backend.name, open) },
  { port: 'webhooks', run: (backend, open) => webhookStoreContract(vitestApi, backend.name, open) },
  { port: 'apiKeys', run: (backend, open) => apiKeyRepositoryContract(vitestApi, backend.name, open) },
  { port: 'passkeys', run: (backend, open) => passkeyRepositoryContract(vitestApi, backend.name, open) },
  { port: 'throttleStore', run: (backend, open) => throttleStoreContract(vitestApi, backend.name, open) },
  { port: 'passwordHasher', run: (backend, { make, weaker }) => passwordHasherContract(vitestApi, backend.name, make, weaker) },
];

let scratch: ScratchDatabase | undefined;
const threadedHashers: ThreadedBcryptPasswordHasher[] = [];

const BACKENDS: Backend[] = [
  {
    name: 'memory',
    inProcess: true,
    storage: memoryStorage,
    outbox: async () => memoryStores(),
    signingKeys: async () => ({ keys: new MemorySigningKeyRepository() }),
    webhooks: memoryWebhooks,
    apiKeys: async () => ({ keys: new MemoryApiKeyRepository() }),
    passkeys: async () => ({ users: new MemoryUserRepository(), passkeys: new MemoryPasskeyRepository(), challenges: new MemoryPasskeyChallengeStore() }),
    throttleStore: memoryThrottleStore,
  },
  ...(['better-sqlite3', 'sqlite3'] as const satisfies readonly SqliteDriver[]).map((driver) => ({
    name: `Knex + ${driver} file`,
    storage: () => sqliteStorage(driver),
    outbox: () => sqliteOutbox(driver),
    signingKeys: () => sqliteSigningKeys(driver),
    webhooks: () => sqliteWebhooks(driver),
    apiKeys: () => sqliteApiKeys(driver),
    passkeys: () => sqlitePasskeys(driver),
  })),
  {
    name: 'Knex + pg',
    requires: checkPostgres,
    // One fresh database per run; one fresh schema in it per test, which is cheaper.
    beforeAll: async () => {
      scratch = await createScratchDatabase();
    },
    afterAll: async () => {
      await scratch?.drop();
    },
    storage: () => postgresStorage(scratch!),
    outbox: () => postgresOutbox(scratch!),
    signingKeys: () => postgresSigningKeys(scratch!),
    webhooks: () => postgresWebhooks(scratch!),
    apiKeys: () => postgresApiKeys(scratch!),
    passkeys: () => postgresPasskeys(scratch!),
  },
  { name: 'Redis', requires: checkRedis, throttleStore: redisThrottleStore },
  { name: 'bcrypt', passwordHasher: { make: () => new BcryptPasswordHasher(5), weaker: () => new BcryptPasswordHasher(4) } },
  {
    name: 'bcrypt in worker threads',
    passwordHasher: { make: () => threaded(5), weaker: () => new BcryptPasswordHasher(4) },
    afterAll: async () => {
      await Promise.all(threadedHashers.splice(0).map((hasher) => hasher.close()));
    },
  },
  {
    name: 'bcrypt behind admission control',
    passwordHasher: {
      make: () => new BoundedPasswordHasher(new BcryptPasswordHasher(5), { concurrency: 1, queueMax: 8 }),
      weaker: () => new BcryptPasswordHasher(4),
    },
  },
];

// The checks run before any test is collected: a backend without its server is skipped as a whole.
const checks = new Map<Backend, ServiceCheck>();
for (const backend of BACKENDS) if (backend.requires) checks.set(backend, await backend.requires());

for (const backend of BACKENDS) {
  const check = checks.get(backend);
  const skipped = check !== undefined && !check.available;
  describe.skipIf(skipped)(`${backend.name}${skipped ? ` (skipped: ${check.reason})` : ''}`, () => {
    if (backend.beforeAll) beforeAll(backend.beforeAll);
    if (backend.afterAll) afterAll(backend.afterAll);
    for (const suite of SUITES) runOn(backend, suite);
  });
}

function runOn(backend: Backend, suite: Suite): void {
  // The union of suites narrows to one port at a time only through the switch.
  switch (suite.port) {
    case 'storage':
      if (backend.storage) suite.run(backend, backend.storage);
      break;
    case 'outbox':
      if (backend.outbox) suite.run(backend, backend.outbox);
      break;
    case 'signingKeys':
      if (backend.signingKeys) suite.run(backend, backend.signingKeys);
      break;
    case 'webhooks':
      if (backend.webhooks) suite.run(backend, backend.webhooks);
      break;
    case 'apiKeys':
      if (backend.apiKeys) suite.run(backend, backend.apiKeys);
      break;
    case 'passkeys':
      if (backend.passkeys) suite.run(backend, backend.passkeys);
      break;
    case 'throttleStore':
      if (backend.throttleStore) suite.run(backend, backend.throttleStore);
      break;
    case 'passwordHasher':
      if (backend.passwordHasher) suite.run(backend, backend.passwordHasher);
      break;
  }
}

async function memoryStorage(): Promise<Storage> {
  // The audit log is the one whose emails an account deletion rewrites, as in one database.
  const audit = new MemoryAuditLog();
  return { ...memoryStores(undefined, audit), audit, factors: new MemorySecondFactorRepository(), pendingLogins: new MemoryPendingLoginRepository() };
}

/** Every Knex adapter on one connection; the connections opened later close with it. */
function knexStorage(knex: Knex, reconnect: () => Promise<Knex>, drop: () => Promise<void>): Storage {
  const connections = [knex];
  return {
    users: new KnexUserRepository(knex),
    sessions: new KnexSessionRepository(knex),
    resetTokens: new KnexPasswordResetTokenRepository(knex),
    emailTokens: new KnexEmailTokenRepository(knex),
    accounts: new KnexAccountRepository(knex),
    audit: new KnexAuditLog(knex),
    factors: new KnexSecondFactorRepository(knex),
    pendingLogins: new KnexPendingLoginRepository(knex),
    reopenUsers: async () => {
      const again = await reconnect();
      connections.push(again);
      return new KnexUserRepository(again);
    },
    close: async () => {
      await Promise.all(connections.map((connection) => connection.destroy()));
      await drop();
    },
  };
}

/** A new database file; each connection to it migrates, as every instance does at start. */
async function sqliteStorage(driver: SqliteDriver): Promise<Storage> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-contract-'));
  const open = async () => {
    const knex = createKnex(`sqlite:${join(dir, 'latchkey.db')}?driver=${driver}`);
    await migrateToLatest(knex);
    return knex;
  };
  return knexStorage(await open(), open, async () => rmSync(dir, { recursive: true, force: true }));
}

async function postgresStorage(database: ScratchDatabase): Promise<Storage> {
  const schema = await database.createSchema('contract');
  const open = async () => {
    const knex = database.connectToSchema(schema);
    await migrateToLatest(knex);
    return knex;
  };
  // The schema goes with the database at the end of the run.
  return knexStorage(await open(), open, async () => {});
}

/** The outbox and the repositories of one Knex connection pool; a second pool claims as another instance would. */
function knexOutbox(knex: Knex, rival: Knex, drop: () => Promise<void>): OutboxFixture {
  return {
    outbox: new KnexOutboxStore(knex),
    rival: new KnexOutboxStore(rival),
    users: new KnexUserRepository(knex),
    sessions: new KnexSessionRepository(knex),
    resetTokens: new KnexPasswordResetTokenRepository(knex),
    emailTokens: new KnexEmailTokenRepository(knex),
    accounts: new KnexAccountRepository(knex),
    close: async () => {
      await Promise.all([knex.destroy(), rival.destroy()]);
      await drop();
    },
  };
}

async function sqliteOutbox(driver: SqliteDriver): Promise<OutboxFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-outbox-'));
  const url = `sqlite:${join(dir, 'outbox.db')}?driver=${driver}`;
  const knex = createKnex(url);
  await migrateToLatest(knex);
  return knexOutbox(knex, createKnex(url), async () => rmSync(dir, { recursive: true, force: true }));
}

async function postgresOutbox(database: ScratchDatabase): Promise<OutboxFixture> {
  const schema = await database.createSchema('outbox');
  const knex = database.connectToSchema(schema);
  await migrateToLatest(knex);
  return knexOutbox(knex, database.connectToSchema(schema), async () => {});
}

/** A second pool on the same file or schema: the races run through both, as two instances. */
function knexSigningKeys(knex: Knex, other: Knex, drop: () => Promise<void>): SigningKeyStoreFixture {
  return {
    keys: new KnexSigningKeyRepository(knex),
    other: new KnexSigningKeyRepository(other),
    close: async () => {
      await Promise.all([knex.destroy(), other.destroy()]);
      await drop();
    },
  };
}

async function sqliteSigningKeys(driver: SqliteDriver): Promise<SigningKeyStoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-signing-keys-'));
  const url = `sqlite:${join(dir, 'keys.db')}?driver=${driver}`;
  const knex = createKnex(url);
  await migrateToLatest(knex);
  return knexSigningKeys(knex, createKnex(url), async () => rmSync(dir, { recursive: true, force: true }));
}

async function postgresSigningKeys(database: ScratchDatabase): Promise<SigningKeyStoreFixture> {
  const schema = await database.createSchema('signing_keys');
  const knex = database.connectToSchema(schema);
  await migrateToLatest(knex);
  return knexSigningKeys(knex, database.connectToSchema(schema), async () => {});
}

async function memoryWebhooks(): Promise<WebhookStoreFixture> {
  const stores = memoryStores();
  return { ...stores, store: new MemoryWebhookStore(stores.outbox), factors: new MemorySecondFactorRepository(stores.outbox) };
}

/** The store and the repositories of one pool; a second pool fans out and claims as another instance would. */
function knexWebhooks(knex: Knex, rival: Knex, drop: () => Promise<void>): WebhookStoreFixture {
  return {
    store: new KnexWebhookStore(knex),
    rival: new KnexWebhookStore(rival),
    users: new KnexUserRepository(knex),
    sessions: new KnexSessionRepository(knex),
    accounts: new KnexAccountRepository(knex),
    emailTokens: new KnexEmailTokenRepository(knex),
    factors: new KnexSecondFactorRepository(knex),
    close: async () => {
      await Promise.all([knex.destroy(), rival.destroy()]);
      await drop();
    },
  };
}

async function sqliteWebhooks(driver: SqliteDriver): Promise<WebhookStoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-webhooks-'));
  const url = `sqlite:${join(dir, 'webhooks.db')}?driver=${driver}`;
  const knex = createKnex(url);
  await migrateToLatest(knex);
  return knexWebhooks(knex, createKnex(url), async () => rmSync(dir, { recursive: true, force: true }));
}

async function postgresWebhooks(database: ScratchDatabase): Promise<WebhookStoreFixture> {
  const schema = await database.createSchema('webhooks');
  const knex = database.connectToSchema(schema);
  await migrateToLatest(knex);
  return knexWebhooks(knex, database.connectToSchema(schema), async () => {});
}

async function sqliteApiKeys(driver: SqliteDriver): Promise<ApiKeyStoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-api-keys-'));
  const knex = createKnex(`sqlite:${join(dir, 'keys.db')}?driver=${driver}`);
  await migrateToLatest(knex);
  return {
    keys: new KnexApiKeyRepository(knex),
    close: async () => {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresApiKeys(database: ScratchDatabase): Promise<ApiKeyStoreFixture> {
  const schema = await database.createSchema('api_keys');
  const knex = database.connectToSchema(schema);
  await migrateToLatest(knex);
  return { keys: new KnexApiKeyRepository(knex), close: () => knex.destroy() };
}

/** The repositories of one pool, and of a second pool on the same file or schema (another instance). */
function knexPasskeys(knex: Knex, other: Knex, drop: () => Promise<void>): PasskeyStoreFixture {
  return {
    users: new KnexUserRepository(knex),
    passkeys: new KnexPasskeyRepository(knex),
    challenges: new KnexPasskeyChallengeStore(knex),
    other: { passkeys: new KnexPasskeyRepository(other), challenges: new KnexPasskeyChallengeStore(other) },
    close: async () => {
      await Promise.all([knex.destroy(), other.destroy()]);
      await drop();
    },
  };
}

async function sqlitePasskeys(driver: SqliteDriver): Promise<PasskeyStoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-passkeys-'));
  const url = `sqlite:${join(dir, 'passkeys.db')}?driver=${driver}`;
  const knex = createKnex(url);
  await migrateToLatest(knex);
  return knexPasskeys(knex, createKnex(url), async () => rmSync(dir, { recursive: true, force: true }));
}

async function postgresPasskeys(database: ScratchDatabase): Promise<PasskeyStoreFixture> {
  const schema = await database.createSchema('passkeys');
  const knex = database.connectToSchema(schema);
  await migrateToLatest(knex);
  return knexPasskeys(knex, database.connectToSchema(schema), async () => {});
}

async function memoryThrottleStore(): Promise<ThrottleFixture> {
  let time = 1_000_000;
  return {
    store: new MemoryThrottleStore({ now: () => time }),
    advance: async (ms) => {
      time += ms;
    },
  };
}

// Real time: Redis keeps the windows with its own clock.
async function redisThrottleStore(): Promise<ThrottleFixture> {
  const store = await RedisThrottleStore.connect(TEST_REDIS_URL, { keyPrefix: uniqueKeyPrefix('throttle') });
  return { store, advance: (ms) => sleep(ms), close: () => store.close() };
}

function threaded(cost: number): ThreadedBcryptPasswordHasher {
  const hasher = new ThreadedBcryptPasswordHasher(cost, { threads: 1, nice: 10 });
  threadedHashers.push(hasher);
  return hasher;
}
