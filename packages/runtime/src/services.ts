import type { Knex } from '@latchkey/adapters';
import {
  BoundedPasswordHasher,
  CommonPasswordList,
  KnexAuditLog,
  KnexUserRepository,
  FileMailer,
  MemoryThrottleStore,
  QueuedMailer,
  RedisThrottleStore,
  SmtpMailer,
  ThreadedBcryptPasswordHasher,
  createKnex,
  migrateToLatest,
} from '@latchkey/adapters';
import { AuthService, LoginThrottle, PasswordPolicy, PasswordResetEmails } from '@latchkey/domain';
import type { AuditLog, PasswordHasher, ThrottleStore, UserRepository } from '@latchkey/domain';
import type { Config } from './config';
import { ConfigError } from './config';
import type { Logger } from './logger';
import { jsonLineLogger } from './logger';

/** Everything an app (the API, the CLI) needs from the domain, built from the config. */
export interface Services {
  config: Config;
  knex: Knex;
  users: UserRepository;
  hasher: PasswordHasher;
  auth: AuthService;
  /** The audit trail of authentication events (table auth_events). */
  audit: AuditLog;
  /** Present when RESET_TOKEN_DELIVERY=email. */
  resetEmails?: PasswordResetEmails;
  /** Checks that the mail server answers (email delivery only); ConfigError otherwise. */
  verifyMail(): Promise<void>;
  /** Delivers queued emails, then closes the database pool. */
  close(): Promise<void>;
}

/**
 * Hashing threads yield the CPU to the event loop: on a small machine a login flood then
 * slows logins (and fills their queue) rather than cookie checks.
 */
const HASH_THREAD_NICE = 10;

export interface ServiceOptions {
  /** Apply pending migrations first; defaults to the config's MIGRATE_ON_START. */
  migrate?: boolean;
  logger?: Logger;
  /** Retries of reset emails: 4 tries, 2 s then 4 s then 8 s apart, unless given. */
  mailRetry?: { attempts: number; backoffMs: number };
  /** Wraps the bcrypt hasher, e.g. to time it into metrics. */
  wrapHasher?: (hasher: PasswordHasher) => PasswordHasher;
}

export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const logger = options.logger ?? jsonLineLogger;
  const knex = createKnex(config.DATABASE_URL, { poolMax: config.DATABASE_POOL_MAX, log: databaseLog(logger) });
  if (options.migrate ?? config.MIGRATE_ON_START) await migrateToLatest(knex);
  const users = new KnexUserRepository(knex);
  const bcrypt = new ThreadedBcryptPasswordHasher(config.BCRYPT_ROUNDS, { threads: config.HASH_CONCURRENCY, nice: HASH_THREAD_NICE });
  // Metrics time the hashing itself; the bound adds the queue in front of it.
  const timed = options.wrapHasher ? options.wrapHasher(bcrypt) : bcrypt;
  const hasher = new BoundedPasswordHasher(timed, { concurrency: config.HASH_CONCURRENCY, queueMax: config.HASH_QUEUE_MAX });
  // Redis shares the failure counters between instances; memory counts per process.
  const redis = config.REDIS_URL
    ? await RedisThrottleStore.connect(config.REDIS_URL, {
        keyPrefix: `${config.REDIS_KEY_PREFIX}throttle:`,
        onConnectionError: (error) => logger.error({ err: error.message }, 'Redis does not answer: logins fail until it is back'),
      })
    : undefined;
  const throttleStore: ThrottleStore = redis ?? new MemoryThrottleStore();
  const audit = new KnexAuditLog(knex);
  const auth = new AuthService({
    users,
    hasher,
    audit,
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
  const mail =
    config.RESET_TOKEN_DELIVERY === 'email' ? createMail(config, logger, options.mailRetry ?? { attempts: 4, backoffMs: 2000 }) : undefined;
  const resetEmails =
    mail &&
    new PasswordResetEmails(auth, mail.queue, {
      urlTemplate: config.RESET_URL_TEMPLATE ?? '',
      tokenTtlMs: config.RESET_TOKEN_TTL_SECONDS * 1000,
      onError: (error) => logger.error({ err: (error as Error).message }, 'reset email request failed'),
    });
  return {
    config,
    knex,
    users,
    hasher,
    auth,
    audit,
    resetEmails,
    verifyMail: async () => {
      try {
        await mail?.smtp?.verify();
      } catch (error) {
        throw new ConfigError(`Invalid SMTP_URL: the mail server does not answer (${(error as Error).message})`, { cause: error });
      }
    },
    close: async () => {
      await resetEmails?.drain();
      await mail?.queue.drain();
      mail?.smtp?.close();
      await Promise.all([knex.destroy(), redis?.close(), bcrypt.close()]);
    },
  };
}

function createMail(config: Config, logger: Logger, retry: { attempts: number; backoffMs: number }): { queue: QueuedMailer; smtp?: SmtpMailer } {
  const smtp = config.SMTP_URL ? new SmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM ?? '' }) : undefined;
  const queue = new QueuedMailer(smtp ?? developmentMailer(config, logger), {
    ...retry,
    onFailure: (error, to, attempts) =>
      logger.error({ to, attempts, err: (error as Error).message }, 'reset email could not be delivered'),
  });
  return { queue, smtp };
}

/** Without SMTP_URL, emails become files: written to the log, their reset tokens would be read there. */
function developmentMailer(config: Config, logger: Logger): FileMailer {
  const mailer = new FileMailer({
    dir: config.MAIL_DIR,
    from: config.MAIL_FROM ?? 'latchkey@localhost',
    onWritten: (file) => logger.info({ file }, 'email written to a file (no SMTP_URL)'),
  });
  logger.info({ dir: mailer.dir }, `no SMTP_URL: emails are written as .eml files in ${mailer.dir}`);
  return mailer;
}

/** Knex's warnings as log entries of one line: its default prints stacks on stdout. */
function databaseLog(logger: Logger): Knex.Logger {
  const entry = (message: unknown) => ({ err: String(message).split('\n', 1)[0] });
  return {
    warn: (message) => logger.warn(entry(message), 'database warning'),
    error: (message) => logger.error(entry(message), 'database error'),
    deprecate: (method, alternative) => logger.warn({ method, alternative }, 'database deprecation'),
    debug: () => {},
  };
}

function passwordPolicy(config: Config): PasswordPolicy {
  const common = config.PASSWORD_BLOCKLIST ? new CommonPasswordList() : undefined;
  return new PasswordPolicy({
    minLength: config.PASSWORD_MIN_LENGTH,
    maxBytes: config.PASSWORD_MAX_LENGTH,
    isCommon: common && ((password) => common.has(password)),
  });
}

