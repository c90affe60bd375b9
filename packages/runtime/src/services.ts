import type { Knex } from '@latchkey/adapters';
import {
  BoundedPasswordHasher,
  CommonPasswordList,
  KnexAuditLog,
  KnexPasswordResetTokenRepository,
  KnexPasskeyChallengeStore,
  KnexPasskeyRepository,
  KnexPendingLoginRepository,
  SimpleWebAuthnCeremony,
  KnexSecondFactorRepository,
  KnexSessionRepository,
  KnexUserRepository,
  FileMailer,
  JoseTokenSigner,
  KnexAccountRepository,
  KnexApiKeyRepository,
  KnexSigningKeyRepository,
  KnexEmailTokenRepository,
  MemoryThrottleStore,
  RedisThrottleStore,
  SmtpMailer,
  ThreadedBcryptPasswordHasher,
  createKnex,
  isPostgresUrl,
  PreparedPostgresReads,
  migrateToLatest,
  sqliteFilename,
} from '@latchkey/adapters';
import { ApiKeys, AuditRetention, createAuth, PasskeyCeremonyThrottle, LoginThrottle, MAIL_TOPIC, PasswordPolicy, PasswordResetEmails, ResetThrottle, ResetTokenThrottle, SecondFactorThrottle, VERIFICATION_RESENDS, mailDelivery } from '@latchkey/domain';
import type { AuditLog, AuthDeps, AuthService, PasskeyDeps, WebhookDispatcher, WebhookEndpoints, Mailer, Outbox, OutboxWorker, OutboxWorkerSettings, PasswordHasher, SecondFactorDeps, SecretBox, ThrottleStore, TokenDeps, UserRepository } from '@latchkey/domain';
import type { Config } from './config';
import { ConfigError, emailLinkTemplates, relyingParty } from './config';
import { passkeyIdKeyFor, secretBoxFor, tokenBoxFor } from './encryption-keys';
import type { Logger } from './logger';
import { jsonLineLogger } from './logger';
import { outboxWorker } from './outbox-worker';
import type { WebhookOptions } from './webhooks';
import { webhookServices } from './webhooks';

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
  /**
   * Reset links by email for the hosted pages' /forgot, whatever RESET_TOKEN_DELIVERY says
   * of the JSON API: present when email is configured and a reset link is known.
   */
  resetLinks?: PasswordResetEmails;
  /** Sends the mail of the outbox table: woken by each change that writes some; servers start its polling. */
  outbox: OutboxWorker;
  /** Webhook endpoints (the CLI manages them) and what the changes ask before writing an event. */
  webhooks: WebhookEndpoints;
  /** Delivers the events of the outbox to the endpoints: woken by each change that writes some; servers start its polling. */
  dispatcher: WebhookDispatcher;
  /** The admin API's keys (the CLI makes, lists and revokes them). */
  apiKeys: ApiKeys;
  /** Checks that the mail server answers (email delivery only); ConfigError otherwise. */
  verifyMail(): Promise<void>;
  /** Sends what the outbox has due (within its drain deadline; the rest stays stored), then closes the database pool. */
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
  /** Retries of emails: 4 tries, 2 s then 4 s then 8 s apart, unless given. */
  mailRetry?: { attempts: number; backoffMs: number };
  /** The outbox worker's other bounds (batch, poll interval, lease, deadlines); see DEFAULT_OUTBOX_SETTINGS. */
  outbox?: Partial<OutboxWorkerSettings>;
  /** The webhook dispatcher's bounds, sender or clock, instead of those of the config (tests). */
  webhooks?: WebhookOptions;
  /** Wraps the bcrypt hasher, e.g. to time it into metrics. */
  wrapHasher?: (hasher: PasswordHasher) => PasswordHasher;
  /** Wraps the audit trail, e.g. to count the sign-ins it records into metrics. */
  wrapAudit?: (audit: AuditLog) => AuditLog;
  /** Delete audit events past AUDIT_RETENTION_DAYS now and every hour (servers, not commands). */
  pruneAudit?: boolean;
  /**
   * Parts of AuthService given instead of those the config builds (tests: a fake clock, a
   * throttle or a hasher of their own). Each replaces its part whole, and one given as
   * undefined is left out (a throttle, say); given a hasher, no hashing threads start.
   */
  overrides?: Partial<AuthDeps>;
}

/**
 * The one composition of Latchkey's services: the server, the command line and the API's
 * tests all build them here, from a config (and, in tests, overrides).
 */
export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const logger = options.logger ?? jsonLineLogger;
  const overrides = options.overrides ?? {};
  const readPoolMax = postgresReadPoolMax(config);
  const knex = createKnex(config.DATABASE_URL, { poolMax: config.DATABASE_POOL_MAX - readPoolMax, log: databaseLog(logger), timeoutMs: config.DATABASE_TIMEOUT_MS });
  const reads = readPoolMax > 0 ? PreparedPostgresReads.onPool(config.DATABASE_URL, { poolMax: readPoolMax, timeoutMs: config.DATABASE_TIMEOUT_MS, warn: (message) => logger.warn({}, message) }) : undefined;
  if (options.migrate ?? config.MIGRATE_ON_START) await migrate(config, knex, logger);
  const hashing = passwordHashing(config, overrides.hasher, options.wrapHasher);
  const redis = config.REDIS_URL ? await connectRedis(config, logger) : undefined;
  // Redis shares the failure counters between instances; memory counts per process.
  const throttleStore: ThrottleStore = redis ?? new MemoryThrottleStore({ maxEntries: config.THROTTLE_MEMORY_MAX_ENTRIES });
  const mail = mailConfigured(config) ? createMail(config, logger) : undefined;
  const outbox = outboxWorker(knex, config, logger, { ...options.mailRetry, ...options.outbox });
  const trail = overrides.audit ?? new KnexAuditLog(knex);
  const audit = options.wrapAudit ? options.wrapAudit(trail) : trail;
  const box = secretBoxFor(config, logger);
  const webhooks = webhookServices(knex, config, box, logger, options.webhooks);
  const apiKeys = new KnexApiKeyRepository(knex);
  const deps: AuthDeps = {
    users: new KnexUserRepository(knex, reads),
    resetTokens: new KnexPasswordResetTokenRepository(knex),
    sessions: new KnexSessionRepository(knex, reads),
    hasher: hashing.hasher,
    audit,
    // The event names no email, address or agent: the log must not become a second trail.
    onAuditFailure: (error, event) => logger.error({ ...event, err: (error as Error).message }, 'audit event could not be recorded'),
    policy: passwordPolicy(config),
    ...throttles(config, throttleStore),
    secondFactor: secondFactor(config, knex, throttleStore, box),
    settings: sessionSettings(config),
    account: accountLifecycle(config, knex, throttleStore, mail && outbox),
    tokens: sessionTokens(config, knex, tokenBoxFor(config, box), logger),
    webhooks: { subscriptions: webhooks.endpoints, wake: () => webhooks.dispatcher.wake() },
    apiKeys,
    passkeys: passkeys(config, knex, throttleStore, logger),
    ...overrides,
  };
  const stopPruning = options.pruneAudit ? pruneAuditEvery(AUDIT_PRUNE_INTERVAL_MS, audit, config, logger) : () => {};
  const auth = authService(deps);
  const resetLink = emailLinkTemplates(config).reset;
  const resetMails = () =>
    new PasswordResetEmails(auth.passwords, outbox, { urlTemplate: resetLink ?? '', tokenTtlMs: config.RESET_TOKEN_TTL_SECONDS * 1000, productName: config.APP_NAME });
  const resetEmails = mail && config.RESET_TOKEN_DELIVERY === 'email' ? resetMails() : undefined;
  // One sender of reset links for the API and the pages: the outbox has one handler per topic.
  const resetLinks = resetEmails ?? (mail && config.HOSTED_PAGES && resetLink ? resetMails() : undefined);
  if (mail) {
    outbox.handle(MAIL_TOPIC, mailDelivery(mail.mailer));
    for (const [topic, handler] of Object.entries({ ...auth.account.outboxHandlers(), ...resetLinks?.outboxHandlers() })) outbox.handle(topic, handler);
  }
  return {
    config,
    knex,
    users: deps.users,
    hasher: deps.hasher,
    auth,
    audit,
    resetEmails,
    resetLinks,
    outbox,
    webhooks: webhooks.endpoints,
    dispatcher: webhooks.dispatcher,
    apiKeys: new ApiKeys(apiKeys, overrides.clock),
    verifyMail: async () => {
      try {
        await mail?.smtp?.verify();
      } catch (error) {
        throw new ConfigError(`Invalid SMTP_URL: the mail server does not answer (${(error as Error).message})`, { cause: error });
      }
    },
    close: async () => {
      await stopPruning();
      await outbox.close();
      await webhooks.dispatcher.close();
      mail?.smtp?.close();
      await Promise.all([knex.destroy(), reads?.close(), redis?.close(), hashing.close()]);
    },
  };
}

/**
 * The connections, of DATABASE_POOL_MAX, that PostgreSQL's hot reads get as a pool of their
 * own: pg-pool lends one for less CPU than Knex's pool. The process opens no more
 * connections than DATABASE_POOL_MAX; none on SQLite. By default writes and transactions
 * keep a quarter (at least two: one transaction must not hold every write back), and the
 * reads the rest: a cookie check is one short round trip, and under load the reads' round
 * trips at once, not the CPU, bound how many the process answers.
 */
function postgresReadPoolMax(config: Config): number {
  if (!isPostgresUrl(config.DATABASE_URL)) return 0;
  const pool = config.DATABASE_POOL_MAX;
  return config.DATABASE_READ_POOL_MAX ?? Math.max(0, pool - Math.max(2, Math.floor(pool / 4)));
}

/** Where the domain is built, and nowhere else. */
function authService(deps: AuthDeps): AuthService {
  return createAuth(deps);
}

/**
 * bcrypt on threads of its own behind a bounded queue, unless a hasher is given; `close`
 * ends the threads. Metrics (`wrap`) time the hashing itself; the bound adds the queue.
 */
function passwordHashing(
  config: Config,
  given: PasswordHasher | undefined,
  wrap?: (hasher: PasswordHasher) => PasswordHasher,
): { hasher: PasswordHasher; close(): Promise<void> } {
  if (given) return { hasher: given, close: async () => {} };
  const bcrypt = new ThreadedBcryptPasswordHasher(config.BCRYPT_ROUNDS, { threads: config.HASH_CONCURRENCY, nice: HASH_THREAD_NICE });
  const hasher = new BoundedPasswordHasher(wrap ? wrap(bcrypt) : bcrypt, { concurrency: config.HASH_CONCURRENCY, queueMax: config.HASH_QUEUE_MAX });
  return { hasher, close: () => bcrypt.close() };
}

function connectRedis(config: Config, logger: Logger): Promise<RedisThrottleStore> {
  return RedisThrottleStore.connect(config.REDIS_URL!, {
    keyPrefix: `${config.REDIS_KEY_PREFIX}throttle:`,
    timeoutMs: config.REDIS_TIMEOUT_MS,
    onConnectionError: (error) => logger.error({ err: error.message }, 'Redis does not answer: logins and reset requests fail until it is back'),
  });
}

function throttles(config: Config, store: ThrottleStore): Pick<AuthDeps, 'throttle' | 'resetThrottle' | 'resetTokenThrottle'> {
  return {
    throttle: new LoginThrottle(store, {
      failuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      failuresPerIp: config.LOGIN_FAILURES_PER_IP,
      windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
    }),
    resetThrottle: new ResetThrottle(store, {
      requestsPerEmail: config.RESET_REQUESTS_PER_EMAIL,
      requestsPerIp: config.RESET_REQUESTS_PER_IP,
      windowMs: config.RESET_REQUEST_WINDOW_SECONDS * 1000,
    }),
    resetTokenThrottle: new ResetTokenThrottle(store, {
      failuresPerAccount: config.RESET_TOKEN_FAILURES_PER_ACCOUNT,
      failuresPerIp: config.RESET_TOKEN_FAILURES_PER_IP,
      windowMs: config.RESET_TOKEN_FAILURE_WINDOW_SECONDS * 1000,
    }),
  };
}

function secondFactor(config: Config, knex: Knex, store: ThrottleStore, box: SecretBox): SecondFactorDeps {
  return {
    settings: { issuer: config.APP_NAME },
    factors: new KnexSecondFactorRepository(knex),
    pendingLogins: new KnexPendingLoginRepository(knex),
    box,
    // Wrong codes count on a key of their own in the same store: shared through Redis.
    throttle: new SecondFactorThrottle(store, {
      failuresPerAccount: config.SECOND_FACTOR_FAILURES_PER_ACCOUNT,
      windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
    }),
  };
}

/** Passkeys on the database; ceremonies only when a relying party is configured (WEBAUTHN_RP_ID or PUBLIC_URL). */
function passkeys(config: Config, knex: Knex, store: ThrottleStore, logger: Logger): PasskeyDeps {
  const rp = relyingParty(config);
  return {
    passkeys: new KnexPasskeyRepository(knex),
    challenges: new KnexPasskeyChallengeStore(knex),
    ceremony: rp && new SimpleWebAuthnCeremony(rp),
    idKey: passkeyIdKeyFor(config, logger),
    // Counted in the login counters' store: shared through Redis when configured.
    ceremonyThrottle: new PasskeyCeremonyThrottle(store, { perIp: config.PASSKEY_CEREMONIES_PER_IP, windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000 }),
    settings: {
      userVerification: config.WEBAUTHN_USER_VERIFICATION,
      perUserMax: config.PASSKEYS_PER_USER_MAX,
      challengeTtlMs: config.PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
      stepUpMs: config.PASSKEY_STEP_UP_SECONDS * 1000,
    },
  };
}

function sessionSettings(config: Config): AuthDeps['settings'] {
  return {
    sessionTtlMs: config.SESSION_TTL_SECONDS * 1000,
    sessionIdleMs: config.SESSION_IDLE_SECONDS * 1000,
    sessionsPerUserMax: config.SESSIONS_PER_USER_MAX,
    resetTokenTtlMs: config.RESET_TOKEN_TTL_SECONDS * 1000,
    resetTokensPerUser: config.RESET_TOKENS_PER_USER,
  };
}

const AUDIT_PRUNE_INTERVAL_MS = 3600_000;

/** Email is configured when a mail server is given or a feature sends email (to files in development). */
function mailConfigured(config: Config): boolean {
  return config.RESET_TOKEN_DELIVERY === 'email' || config.EMAIL_VERIFICATION !== 'off' || config.SMTP_URL !== undefined;
}

function accountLifecycle(config: Config, knex: Knex, throttleStore: ThrottleStore, outbox: Outbox | undefined): AuthDeps['account'] {
  const links = emailLinkTemplates(config);
  return {
    accounts: new KnexAccountRepository(knex),
    emailTokens: new KnexEmailTokenRepository(knex),
    outbox,
    // Counted apart from reset requests, on the same store (shared through Redis when configured).
    resendThrottle: new ResetThrottle(
      throttleStore,
      {
        requestsPerEmail: config.VERIFICATION_RESENDS_PER_EMAIL,
        requestsPerIp: config.VERIFICATION_RESENDS_PER_IP,
        windowMs: config.VERIFICATION_RESEND_WINDOW_SECONDS * 1000,
      },
      VERIFICATION_RESENDS,
    ),
    settings: {
      verification: config.EMAIL_VERIFICATION,
      tokenTtlMs: config.VERIFICATION_TOKEN_TTL_SECONDS * 1000,
      tokensPerUser: config.EMAIL_TOKENS_PER_USER,
      notices: config.SECURITY_NOTICES,
      productName: config.APP_NAME,
      verifyUrlTemplate: links.verify,
      emailChangeUrlTemplate: links.emailChange,
    },
  };
}

/** Signed tokens: keys from JWT_SIGNING_KEYS, or stored in the database and sealed with ENCRYPTION_KEYS. */
function sessionTokens(config: Config, knex: Knex, box: SecretBox, logger: Logger): TokenDeps {
  return {
    signer: new JoseTokenSigner(),
    keys: new KnexSigningKeyRepository(knex),
    box,
    configuredKeys: config.JWT_SIGNING_KEYS,
    settings: {
      algorithm: config.JWT_ALGORITHM,
      ttlMs: config.JWT_TTL_SECONDS * 1000,
      overlapMs: config.JWT_KEY_OVERLAP_SECONDS * 1000,
      // One issuer for every instance and every proxy path: the configured one, else the public URL.
      issuer: config.JWT_ISSUER ?? config.PUBLIC_URL?.replace(/\/+$/, ''),
      audience: config.JWT_AUDIENCE,
    },
    onError: (error) => logger.error({ err: (error as Error).message }, 'signing keys'),
  };
}

/**
 * Deletes expired audit events at once and then every intervalMs, one run at a time;
 * resolves the stopper once a run in progress has ended. Nothing when retention is 0.
 */
export function pruneAuditEvery(intervalMs: number, audit: AuditLog, config: Config, logger: Logger): () => Promise<void> {
  if (config.AUDIT_RETENTION_DAYS === 0) return async () => {};
  const retention = new AuditRetention(audit, { retentionMs: config.AUDIT_RETENTION_DAYS * 86_400_000 });
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running.then(() =>
      retention.prune().then(
        (deleted) => void (deleted > 0 && logger.info({ deleted }, 'audit events past retention deleted')),
        (error: unknown) => logger.error({ err: (error as Error).message }, 'audit retention failed; next try in an hour'),
      ),
    );
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

function createMail(config: Config, logger: Logger): { mailer: Mailer; smtp?: SmtpMailer } {
  const smtp = config.SMTP_URL ? new SmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM ?? '' }) : undefined;
  return { mailer: smtp ?? developmentMailer(config, logger), smtp };
}

/**
 * A migration may rightly run longer than a request's deadline: it gets a connection of its
 * own without one (an in-memory SQLite database exists only on its one connection).
 */
async function migrate(config: Config, knex: Knex, logger: Logger): Promise<void> {
  if (config.DATABASE_URL.startsWith('sqlite:') && sqliteFilename(config.DATABASE_URL) === ':memory:') {
    await migrateToLatest(knex);
    return;
  }
  const unbounded = createKnex(config.DATABASE_URL, { poolMax: 1, log: databaseLog(logger) });
  try {
    await migrateToLatest(unbounded);
  } finally {
    await unbounded.destroy();
  }
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

