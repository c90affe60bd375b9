import type { Knex } from '@latchkey/adapters';
import {
  BcryptPasswordHasher,
  CommonPasswordList,
  KnexUserRepository,
  MemoryThrottleStore,
  RedisThrottleStore,
  createKnex,
  migrateToLatest,
} from '@latchkey/adapters';
import { AuthService, LoginThrottle, PasswordPolicy } from '@latchkey/domain';
import type { PasswordHasher, ThrottleStore, UserRepository } from '@latchkey/domain';
import type { Config } from './config';

/** Everything an app (the API, the CLI) needs from the domain, built from the config. */
export interface Services {
  config: Config;
  knex: Knex;
  users: UserRepository;
  hasher: PasswordHasher;
  auth: AuthService;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Apply pending migrations first; defaults to the config's MIGRATE_ON_START. */
  migrate?: boolean;
}

export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const knex = createKnex(config.DATABASE_URL, { poolMax: config.DATABASE_POOL_MAX });
  if (options.migrate ?? config.MIGRATE_ON_START) await migrateToLatest(knex);
  const users = new KnexUserRepository(knex);
  const hasher = new BcryptPasswordHasher(config.BCRYPT_ROUNDS);
  // Redis shares the failure counters between instances; memory counts per process.
  const redis = config.REDIS_URL ? await RedisThrottleStore.connect(config.REDIS_URL, { keyPrefix: `${config.REDIS_KEY_PREFIX}throttle:` }) : undefined;
  const throttleStore: ThrottleStore = redis ?? new MemoryThrottleStore();
  const auth = new AuthService({
    users,
    hasher,
    policy: passwordPolicy(config),
    throttle: new LoginThrottle(throttleStore, {
      failuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      failuresPerIp: config.LOGIN_FAILURES_PER_IP,
      windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
    }),
    settings: {
      sessionTtlMs: config.SESSION_TTL_SECONDS * 1000,
      sessionIdleMs: config.SESSION_IDLE_SECONDS * 1000,
      resetTokenTtlMs: config.RESET_TOKEN_TTL_SECONDS * 1000,
    },
  });
  const close = async () => {
    await Promise.all([knex.destroy(), redis?.close()]);
  };
  return { config, knex, users, hasher, auth, close };
}

function passwordPolicy(config: Config): PasswordPolicy {
  const common = config.PASSWORD_BLOCKLIST ? new CommonPasswordList() : undefined;
  return new PasswordPolicy({
    minLength: config.PASSWORD_MIN_LENGTH,
    maxBytes: config.PASSWORD_MAX_LENGTH,
    isCommon: common && ((password) => common.has(password)),
  });
}
