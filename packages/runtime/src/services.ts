import type { Knex } from '@latchkey/adapters';
import { BcryptPasswordHasher, KnexUserRepository, createKnex, migrateToLatest } from '@latchkey/adapters';
import { AuthService, PasswordPolicy } from '@latchkey/domain';
import type { PasswordHasher, UserRepository } from '@latchkey/domain';
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
  /** Wraps the bcrypt hasher, e.g. to time it into metrics. */
  wrapHasher?: (hasher: PasswordHasher) => PasswordHasher;
}

export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const knex = createKnex(config.DATABASE_URL, { poolMax: config.DATABASE_POOL_MAX });
  if (options.migrate ?? config.MIGRATE_ON_START) await migrateToLatest(knex);
  const users = new KnexUserRepository(knex);
  const bcrypt = new BcryptPasswordHasher(config.BCRYPT_ROUNDS);
  const hasher = options.wrapHasher ? options.wrapHasher(bcrypt) : bcrypt;
  const auth = new AuthService({
    users,
    hasher,
    policy: new PasswordPolicy({ minLength: config.PASSWORD_MIN_LENGTH, maxBytes: config.PASSWORD_MAX_LENGTH }),
    settings: {
      sessionTtlMs: config.SESSION_TTL_SECONDS * 1000,
      sessionIdleMs: config.SESSION_IDLE_SECONDS * 1000,
      resetTokenTtlMs: config.RESET_TOKEN_TTL_SECONDS * 1000,
    },
  });
  return { config, knex, users, hasher, auth, close: () => knex.destroy() };
}
