import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { z } from 'zod';
import { SECURITY_NOTICES, SIGNING_ALGORITHMS } from '@latchkey/domain';
import type { SecurityNotice } from '@latchkey/domain';

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const boolean = () =>
  z
    .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], { message: 'use true or false' })
    .transform((value) => ['true', '1', 'on', 'yes'].includes(value));
const list = () => z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

interface Variable<S extends z.ZodType> {
  schema: S;
  /** What the README shows as the default, when it is not the schema's own. */
  shownDefault?: string;
  description: string;
}

function variable<S extends z.ZodType>(schema: S, description: string, shownDefault?: string): Variable<S> {
  return { schema, description, shownDefault };
}

/**
 * Every environment variable Latchkey reads: the schema that validates it (with its
 * default) and the sentence the README shows. The README's table is tested against this.
 */
export const VARIABLES = {
  NODE_ENV: variable(z.enum(['development', 'production', 'test']).default('development'), 'Run mode; `test` allows BCRYPT_ROUNDS below 10.'),
  PORT: variable(integer(0, 65535).default(5000), 'Port to listen on (0 picks a free port).'),
  HOST: variable(z.string().min(1).default('0.0.0.0'), 'Address to listen on.'),
  DATABASE_URL: variable(
    z
      .string()
      .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'use sqlite:<path>, sqlite::memory: or postgres://…')
      .default('sqlite:data/latchkey.db'),
    '`sqlite:<relative or absolute path>`, `sqlite::memory:` or `postgres://user@host:port/db`.',
  ),
  DATABASE_POOL_MAX: variable(integer(1, 1000).default(10), 'Largest PostgreSQL connection pool of one process.'),
  DATABASE_READ_POOL_MAX: variable(
    integer(0, 999).optional(),
    'PostgreSQL: how many of the DATABASE_POOL_MAX connections are a pool of their own for the cookie check and the lookups of a user by key (the rest serve writes and transactions); below DATABASE_POOL_MAX; 0 reads on the one pool; unset, all but a quarter of DATABASE_POOL_MAX (at least 2 left, 0 below 3).',
    '(unset)',
  ),
  MIGRATE_ON_START: variable(boolean().default(true), 'Apply pending migrations when the server starts.'),
  REDIS_URL: variable(z.url({ protocol: /^rediss?$/, message: 'use redis://host:port' }).optional(), 'Redis for the login throttle counters shared by every instance; memory when unset.', '(unset)'),
  REDIS_KEY_PREFIX: variable(z.string().default('latchkey:'), 'Start of every Redis key written, so several deployments can share one Redis.'),
  WORKERS: variable(integer(1, 256).default(1), 'Processes serving the API on this machine (node:cluster).'),
  BCRYPT_ROUNDS: variable(integer(4, 31).default(12), 'bcrypt cost; at least 10 unless NODE_ENV=test.'),
  HASH_CONCURRENCY: variable(
    integer(1, 256).default(Math.max(1, availableParallelism() - 1)),
    'Password hashes computed at once.',
    'CPU cores − 1 (at least 1)',
  ),
  HASH_QUEUE_MAX: variable(integer(0, 100_000).default(64), 'Password hashes waiting for a slot; past it, 503 with Retry-After.'),
  SESSION_TTL_SECONDS: variable(integer(60).default(7 * 24 * 3600), 'Absolute lifetime of a session.'),
  SESSION_IDLE_SECONDS: variable(integer(60).default(24 * 3600), 'A session unused this long ends.'),
  SESSIONS_PER_USER_MAX: variable(integer(1, 10_000).default(20), 'Sessions one user may hold; a login past it ends the least recently used.'),
  SESSION_SWEEP_INTERVAL_SECONDS: variable(integer(0, 86_400).default(60), 'Seconds between deletions of expired sessions (0: only when met).'),
  SESSION_SWEEP_BATCH: variable(integer(1, 100_000).default(1000), 'Expired sessions deleted per statement (at most 10 batches a sweep).'),
  RESET_TOKEN_TTL_SECONDS: variable(integer(60).default(30 * 60), 'Lifetime of a reset token.'),
  RESET_TOKENS_PER_USER: variable(integer(1, 20).default(3), 'Live reset tokens one user may hold; a new request drops the oldest beyond it.'),
  RESET_REQUESTS_PER_EMAIL: variable(integer(1).default(5), 'Reset requests for one email allowed per window (registered or not).'),
  RESET_REQUESTS_PER_IP: variable(integer(1).default(20), 'Reset requests from one client address allowed per window.'),
  RESET_REQUEST_WINDOW_SECONDS: variable(integer(1).default(900), 'Window of the reset request counters.'),
  RESET_TOKEN_FAILURES_PER_ACCOUNT: variable(integer(1).default(10), 'Wrong reset tokens presented for one email allowed per window (PUT /reset_password).'),
  RESET_TOKEN_FAILURES_PER_IP: variable(integer(1).default(100), 'Wrong reset tokens from one client address allowed per window.'),
  RESET_TOKEN_FAILURE_WINDOW_SECONDS: variable(integer(1).default(900), 'Window of the wrong reset token counters.'),
  COOKIE_SECURE: variable(boolean().default(false), 'Mark the session cookie Secure (set true behind HTTPS).'),
  PASSWORD_MIN_LENGTH: variable(integer(1, 72).default(1), 'Shortest accepted password, in characters (8+ advised in production).'),
  PASSWORD_MAX_LENGTH: variable(integer(1, 72).default(72), 'Longest accepted password, in UTF-8 bytes (bcrypt reads 72 at most).'),
  PASSWORD_BLOCKLIST: variable(boolean().default(true), 'Refuse the 10,000 most common passwords (on/off).'),
  LOGIN_FAILURES_PER_ACCOUNT: variable(integer(1).default(10), 'Failed logins of one email allowed per window.'),
  LOGIN_FAILURES_PER_IP: variable(integer(1).default(100), 'Failed logins from one client address allowed per window.'),
  LOGIN_FAILURE_WINDOW_SECONDS: variable(integer(1).default(900), 'Window of the login failure counters.'),
  TRUST_PROXY: variable(boolean().default(false), 'Take the client address from X-Forwarded-For (only behind a proxy you run).'),
  ALLOWED_ORIGINS: variable(list().default([]), 'Comma-separated origins whose pages may send changes (logins included), besides the service itself.', '(none)'),
  BODY_LIMIT: variable(z.string().regex(/^\d+(b|kb|mb)?$/i, 'use a size such as 16kb').default('16kb'), 'Largest accepted request body.'),
  LOG_LEVEL: variable(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'Least severe level written to the log.'),
  SHUTDOWN_TIMEOUT_SECONDS: variable(integer(1, 600).default(10), 'Longest wait for in-flight requests on SIGTERM/SIGINT.'),
  RESET_TOKEN_DELIVERY: variable(z.enum(['response', 'email']).default('response'), '`response` (the contract: token in the body) or `email` (token only by email).'),
  SMTP_URL: variable(z.url({ protocol: /^smtps?$/, message: 'use smtp://host:port or smtps://…' }).optional(), 'SMTP server for reset emails.', '(unset)'),
  MAIL_FROM: variable(z.string().min(3).optional(), 'Sender address of reset emails.', '(unset)'),
  RESET_URL_TEMPLATE: variable(
    z.string().includes('{token}', { message: 'must contain {token}' }).optional(),
    'Link in reset emails; `{token}` and `{email}` are replaced.',
    '(unset)',
  ),
  PROXY_HOPS: variable(integer(1, 32).default(1), 'With TRUST_PROXY: proxies in front of the service; the client address is the one they appended to X-Forwarded-For.'),
  THROTTLE_MEMORY_MAX_ENTRIES: variable(integer(1000, 10_000_000).default(100_000), 'Most login counters one process keeps without REDIS_URL; past it the oldest are forgotten.'),
  AUDIT_RETENTION_DAYS: variable(integer(0, 36_500).default(90), 'Audit events older than this are deleted (hourly, in batches of 1,000); 0 keeps them forever.'),
  DATABASE_TIMEOUT_MS: variable(
    integer(50, 600_000).default(5000),
    'Deadline of each database query, connection and wait for a pooled one (SQLite: busy timeout); past it, 503 with Retry-After.',
  ),
  REDIS_TIMEOUT_MS: variable(integer(50, 600_000).default(2000), 'Deadline of each Redis command and connection; past it, logins and reset requests answer 503 with Retry-After.'),
  HTTP_REQUEST_TIMEOUT_SECONDS: variable(integer(1, 3600).default(30), 'Longest time to receive a whole request (headers and body); past it, 408 and the connection closes.'),
  HTTP_HEADERS_TIMEOUT_SECONDS: variable(integer(1, 3600).default(10), 'Longest time to receive a request\'s headers; at most HTTP_REQUEST_TIMEOUT_SECONDS.'),
  MAIL_DIR: variable(z.string().min(1).default('data/mail'), 'Without SMTP_URL (development), reset emails are written here as .eml files, one a message.'),
  STRICT_PRODUCTION: variable(boolean().default(false), 'With NODE_ENV=production, refuse to start with a setting that keeps contract-mode behaviour (each is otherwise a warning).'),
  CORS_ORIGINS: variable(list().default([]), 'Comma-separated origins (`https://app.example.com`) whose pages may call the API with credentials: CORS answers for them only.', '(none)'),
  COOKIE_DOMAIN: variable(z.string().regex(/^[a-z0-9.-]+$/i, 'use a domain such as example.com').optional(), 'Domain of the session cookie, to share it with subdomains; the answering host only when unset.', '(unset)'),
  COOKIE_SAMESITE: variable(z.enum(['lax', 'strict', 'none']).default('lax'), 'SameSite of the session cookie; `none` (sent on cross-site requests) requires COOKIE_SECURE=true.'),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: variable(integer(1, 3600).default(5), 'An idle keep-alive connection closes after this long (keep it above a proxy\'s idle timeout).'),
  EMAIL_VERIFICATION: variable(
    z.enum(['off', 'optional', 'required']).default('off'),
    '`off` (the contract), `optional` (a link is emailed; the profile tells) or `required` (no login before the link is used; sign-ups answer alike for known addresses).',
  ),
  VERIFICATION_TOKEN_TTL_SECONDS: variable(integer(60, 30 * 86_400).default(86_400), 'Lifetime of email verification and change-of-email links.'),
  EMAIL_TOKENS_PER_USER: variable(integer(1, 20).default(3), 'Live links of each kind (verification, change of email) one user may hold; a new one drops the oldest.'),
  VERIFY_URL_TEMPLATE: variable(
    z.string().includes('{token}', { message: 'must contain {token}' }).optional(),
    'Link in verification emails; `{token}` is replaced. Unset: the email gives the token to send to POST /verify_email.',
    '(unset)',
  ),
  EMAIL_CHANGE_URL_TEMPLATE: variable(
    z.string().includes('{token}', { message: 'must contain {token}' }).optional(),
    'Link in change-of-email confirmations; `{token}` is replaced. Unset: the email gives the token for POST /profile/email/confirm.',
    '(unset)',
  ),
  VERIFICATION_RESENDS_PER_EMAIL: variable(integer(1).default(3), 'Verification emails one address may ask again per window.'),
  VERIFICATION_RESENDS_PER_IP: variable(integer(1).default(20), 'Verification emails one client address may ask again per window.'),
  VERIFICATION_RESEND_WINDOW_SECONDS: variable(integer(1).default(900), 'Window of the verification resend counters.'),
  SECURITY_NOTICES: variable(
    list()
      .default([...SECURITY_NOTICES])
      .refine((items) => items.every((item) => item === 'none' || (SECURITY_NOTICES as readonly string[]).includes(item)), {
        message: `use none or a comma-separated list of ${SECURITY_NOTICES.join(', ')}`,
      })
      .transform((items) => items.filter((item): item is SecurityNotice => item !== 'none')),
    'Emails sent to the owner after a change, when email is configured (SMTP_URL, or emails enabled): a comma-separated list, or `none`.',
  ),
  ENCRYPTION_KEYS: variable(
    list().default([]),
    'Comma-separated base64 keys of 32 bytes sealing TOTP secrets (AES-256-GCM): the first seals, all open. Without it: 503 to enrolments in production, ENCRYPTION_KEY_FILE in development.',
    '(none)',
  ),
  ENCRYPTION_KEY_FILE: variable(z.string().min(1).default('data/encryption.key'), 'Without ENCRYPTION_KEYS, outside production: the key file created (mode 600) and used.'),
  SECOND_FACTOR_FAILURES_PER_ACCOUNT: variable(integer(1, 1000).default(5), 'Wrong second-factor codes of one account per LOGIN_FAILURE_WINDOW_SECONDS; the last ends the pending login (the password step is not locked).'),
  HOSTED_PAGES: variable(
    boolean().default(true),
    'Serve the HTML pages people use (/login, /signup, /forgot, /reset, /verify, /account) beside the JSON API.',
  ),
  PUBLIC_URL: variable(
    z
      .url({ protocol: /^https?$/, message: 'use the address people reach the service at, such as https://auth.example.com' })
      .refine((value) => !/[?#]/.test(value), { message: 'no query or fragment' })
      .optional(),
    'Address people reach the service at (`https://auth.example.com`, or with the path of a proxy prefix); with HOSTED_PAGES, emails link to its /reset and /verify unless a *_URL_TEMPLATE is set.',
    '(unset)',
  ),
  APP_NAME: variable(z.string().trim().min(1).max(60).default('Latchkey'), 'Name shown on the pages, in emails and in authenticator apps.'),
  LOGO_URL: variable(
    z
      .string()
      .regex(/^(\/(?!\/)|https:\/\/)[^\s"'<>\\]*$/, 'use a path such as /logo.svg or an https:// address')
      .optional(),
    'Logo shown at the top of the pages: a path on this service\'s host or an https:// address (its origin is added to the pages\' img-src).',
    '(unset)',
  ),
  ACCENT_COLOR: variable(
    z.string().regex(/^#[0-9a-f]{6}$/i, 'use a colour such as #1d4ed8').default('#1d4ed8'),
    'Colour of the pages\' buttons and links; their text is black or white, whichever reads better on it.',
  ),
  RETURN_TO_ORIGINS: variable(
    list().default([]),
    'Comma-separated origins (`https://app.example.com`) the pages may send a person back to after signing in (`?return_to=`); any other target lands on /account.',
  ),
  JWT_ISSUER: variable(
    z.url({ protocol: /^https?$/, message: 'use the URL the service is reached at, e.g. https://auth.example.com' }).optional(),
    '`iss` of the tokens of POST /sessions/token; unset: PUBLIC_URL, else the origin the request reached (behind a proxy, with TRUST_PROXY).',
    '(unset)',
  ),
  JWT_AUDIENCE: variable(z.string().min(1).optional(), '`aud` of the tokens: what the services checking them expect; unset: the issuer.', '(unset)'),
  JWT_TTL_SECONDS: variable(integer(30, 3600).default(300), 'Lifetime of a token (never past the end of its session); an ended session\'s tokens live at most this long.'),
  JWT_ALGORITHM: variable(z.enum(SIGNING_ALGORITHMS).default('EdDSA'), 'Algorithm of the signing keys generated here: `EdDSA` (Ed25519) or `ES256` (P-256).'),
  JWT_KEY_OVERLAP_SECONDS: variable(
    integer(120, 86_400).default(600),
    'A new signing key is published this long before it signs; GET /.well-known/jwks.json is cached for half of it (Cache-Control max-age).',
  ),
  JWT_SIGNING_KEYS: variable(
    z
      .string()
      .transform((value, ctx) => signingKeys(value, ctx))
      .default([]),
    'A JSON array of private JWKs (Ed25519 or P-256): the first signs, all are published; `latchkey keys rotate` is then refused. Unset: keys are generated at the first start and stored in the database, sealed with ENCRYPTION_KEYS.',
    '(none)',
  ),
  WEBHOOK_RETRY_HOURS: variable(integer(1, 720).default(24), 'A webhook delivery is retried (exponential backoff with jitter) for this long after its first attempt, then marked failed.'),
  WEBHOOK_TIMEOUT_SECONDS: variable(integer(1, 120).default(10), 'Deadline of one webhook attempt: a receiver answering later has failed it.'),
  WEBHOOK_BACKOFF_MS: variable(integer(10, 3_600_000).default(5000), 'Wait before a webhook delivery\'s second attempt; doubled before each later one (half of it drawn at random), up to an hour.'),
  WEBHOOK_RETENTION_DAYS: variable(integer(1, 3650).default(7), 'Delivered and failed webhook deliveries are kept this long (listing, replay), then deleted (hourly, in batches of 1,000).'),
  WEBHOOK_SECRET_OVERLAP_HOURS: variable(integer(0, 720).default(24), 'After `latchkey webhooks rotate-secret`, the previous secret still signs beside the new one this long.'),
  WEBHOOK_POLL_MS: variable(integer(50, 60_000).default(1000), 'Between polls for webhook deliveries written by other instances or come due (this instance\'s own changes are sent at once).'),
  ADMIN_PORT: variable(
    integer(0, 65535).optional(),
    'Serve the admin API (`/admin/…`, Bearer keys) on this port only, apart from the public listener; unset: on PORT with the rest.',
    '(unset)',
  ),
  ADMIN_HOST: variable(z.string().min(1).default('127.0.0.1'), 'Address of the ADMIN_PORT listener (keep it private).'),
  WEBAUTHN_RP_ID: variable(
    z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, 'use a host name such as example.com (no scheme, no port)')
      .refine((id) => isIP(id) === 0, 'use a host name: browsers refuse an IP address as an RP ID')
      .optional(),
    'Relying party ID of passkeys: the host of PUBLIC_URL or a domain it ends with. Unset: the host of PUBLIC_URL (none when it is an IP address, which browsers refuse); without either, passkey routes answer 501 `passkeys_unconfigured`.',
    '(unset)',
  ),
  WEBAUTHN_ORIGINS: variable(
    list().default([]),
    'Comma-separated origins allowed to run a passkey ceremony (`https://auth.example.com`); each must be on the RP ID. Unset: the origin of PUBLIC_URL, else `https://<WEBAUTHN_RP_ID>`.',
    '(none)',
  ),
  WEBAUTHN_RP_NAME: variable(z.string().trim().min(1).max(60).optional(), 'Name of the service that authenticators show when a passkey is made; unset: APP_NAME.', '(unset)'),
  WEBAUTHN_USER_VERIFICATION: variable(
    z.enum(['preferred', 'required']).default('preferred'),
    '`preferred` (a PIN or biometric is asked when the authenticator can) or `required` (assertions without user verification are refused). A passkey used with user verification is also the second factor.',
  ),
  PASSKEYS_PER_USER_MAX: variable(integer(1, 100).default(10), 'Passkeys one account may register.'),
  PASSKEY_CHALLENGE_TTL_SECONDS: variable(integer(30, 600).default(300), 'Lifetime of a passkey ceremony\'s challenge (single use) and of its cookie.'),
  PASSKEY_CEREMONIES_PER_IP: variable(
    integer(1, 1_000_000).default(300),
    'Passkey sign-in ceremonies (POST /sessions/passkey/options) one client address may start per LOGIN_FAILURE_WINDOW_SECONDS; past it, 429.',
  ),
  PASSKEY_STEP_UP_SECONDS: variable(
    integer(0, 86_400).default(600),
    'A session opened by a login this recently may register or remove a passkey without the password; an older one must give the current password.',
  ),
} as const;

/** JWT_SIGNING_KEYS as the signer reads them: one JSON text a key. Only their shape is checked here, never echoed. */
function signingKeys(value: string, ctx: z.RefinementCtx): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not JSON: give an array of private JWKs' });
    return z.NEVER;
  }
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  const bad = keys.findIndex((key) => !isPrivateSigningJwk(key));
  if (keys.length === 0 || bad >= 0) {
    ctx.addIssue({ code: 'custom', message: keys.length === 0 ? 'holds no key' : `key ${bad + 1} is not a private Ed25519 (OKP) or P-256 (EC) JWK` });
    return z.NEVER;
  }
  return keys.map((key) => JSON.stringify(key));
}

function isPrivateSigningJwk(key: unknown): boolean {
  const { kty, crv, d, x } = (key ?? {}) as Record<string, unknown>;
  return typeof d === 'string' && typeof x === 'string' && ((kty === 'OKP' && crv === 'Ed25519') || (kty === 'EC' && crv === 'P-256'));
}

type Variables = typeof VARIABLES;
export type VariableName = keyof Variables;

const shape = Object.fromEntries(Object.entries(VARIABLES).map(([name, { schema }]) => [name, schema])) as {
  [K in VariableName]: Variables[K]['schema'];
};

export const configSchema = z.object(shape).superRefine((env, ctx) => {
  if (env.BCRYPT_ROUNDS < 10 && env.NODE_ENV !== 'test') {
    ctx.addIssue({ code: 'custom', path: ['BCRYPT_ROUNDS'], message: 'must be at least 10 (lower only with NODE_ENV=test)' });
  }
  if (env.PASSWORD_MIN_LENGTH > env.PASSWORD_MAX_LENGTH) {
    ctx.addIssue({ code: 'custom', path: ['PASSWORD_MIN_LENGTH'], message: 'must not exceed PASSWORD_MAX_LENGTH' });
  }
  if (env.RESET_TOKEN_DELIVERY === 'email') {
    // Without SMTP_URL, development prints emails to the log; production must send them.
    // The hosted pages' /reset is the link when the service knows its public address.
    const required: Array<'RESET_URL_TEMPLATE' | 'SMTP_URL' | 'MAIL_FROM'> = pagesLinkBase(env) ? [] : ['RESET_URL_TEMPLATE'];
    if (env.SMTP_URL || env.NODE_ENV === 'production') required.push('SMTP_URL', 'MAIL_FROM');
    for (const name of required) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when RESET_TOKEN_DELIVERY=email' });
    }
  }
  if (env.EMAIL_VERIFICATION !== 'off' && env.NODE_ENV === 'production') {
    for (const name of ['SMTP_URL', 'MAIL_FROM'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when EMAIL_VERIFICATION is not off' });
    }
  }
  if (env.COOKIE_SAMESITE === 'none' && !env.COOKIE_SECURE) {
    ctx.addIssue({ code: 'custom', path: ['COOKIE_SAMESITE'], message: 'none requires COOKIE_SECURE=true (browsers drop such cookies otherwise)' });
  }
  for (const name of ['CORS_ORIGINS', 'RETURN_TO_ORIGINS'] as const) {
    const notOrigin = env[name].find((origin) => !isOrigin(origin));
    if (notOrigin !== undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: `${notOrigin} is not an origin (scheme://host[:port], no path, no *)` });
    }
  }
  const badKey = env.ENCRYPTION_KEYS.findIndex((key) => !/^[A-Za-z0-9+/]{43}=$/.test(key));
  if (badKey >= 0) {
    ctx.addIssue({ code: 'custom', path: ['ENCRYPTION_KEYS'], message: `key ${badKey + 1} is not the base64 of 32 bytes (openssl rand -base64 32)` });
  }
  const notOrigin = env.WEBAUTHN_ORIGINS.find((origin) => !isOrigin(origin));
  if (notOrigin !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['WEBAUTHN_ORIGINS'], message: `${notOrigin} is not an origin (scheme://host[:port], no path, no *)` });
  } else {
    const rp = relyingParty(env as Config);
    const outside = rp?.origins.find((origin) => !URL.canParse(origin) || !onRelyingParty(new URL(origin).hostname, rp.id));
    if (rp && outside !== undefined) {
      ctx.addIssue({ code: 'custom', path: [env.WEBAUTHN_ORIGINS.length > 0 ? 'WEBAUTHN_ORIGINS' : 'WEBAUTHN_RP_ID'], message: `${outside} is not on the RP ID ${rp.id}` });
    }
  }
  if (env.DATABASE_READ_POOL_MAX !== undefined && env.DATABASE_READ_POOL_MAX >= env.DATABASE_POOL_MAX) {
    ctx.addIssue({ code: 'custom', path: ['DATABASE_READ_POOL_MAX'], message: 'must be below DATABASE_POOL_MAX (writes and transactions need a connection too)' });
  }
  if (env.HTTP_HEADERS_TIMEOUT_SECONDS > env.HTTP_REQUEST_TIMEOUT_SECONDS) {
    ctx.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_SECONDS'], message: 'must not exceed HTTP_REQUEST_TIMEOUT_SECONDS' });
  }
});

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.origin === value.replace(/\/$/, '').toLowerCase();
  } catch {
    return false;
  }
}

/** The passkeys' relying party: its ID, name, origins and user verification; undefined when neither WEBAUTHN_RP_ID nor PUBLIC_URL is set. */
export function relyingParty(
  config: Pick<Config, 'WEBAUTHN_RP_ID' | 'WEBAUTHN_ORIGINS' | 'WEBAUTHN_RP_NAME' | 'WEBAUTHN_USER_VERIFICATION' | 'PUBLIC_URL' | 'APP_NAME'>,
): { id: string; name: string; origins: string[]; userVerification: 'preferred' | 'required' } | undefined {
  const publicUrl = config.PUBLIC_URL && URL.canParse(config.PUBLIC_URL) ? new URL(config.PUBLIC_URL) : undefined;
  const id = config.WEBAUTHN_RP_ID?.toLowerCase() ?? publicUrl?.hostname;
  // Browsers refuse an IP address as an RP ID: a PUBLIC_URL on one leaves passkeys off.
  if (id === undefined || isIP(id.replace(/^\[(.*)\]$/, '$1')) !== 0) return undefined;
  const origins = config.WEBAUTHN_ORIGINS.length > 0 ? config.WEBAUTHN_ORIGINS.map((origin) => origin.replace(/\/$/, '').toLowerCase()) : [publicUrl?.origin ?? `https://${id}`];
  return { id, name: config.WEBAUTHN_RP_NAME ?? config.APP_NAME, origins, userVerification: config.WEBAUTHN_USER_VERIFICATION };
}

/** A host is on an RP ID when it is the ID or a subdomain of it (WebAuthn's registrable suffix rule, without the public suffix list). */
function onRelyingParty(host: string, rpId: string): boolean {
  return host === rpId || host.endsWith(`.${rpId}`);
}

/** Where the hosted pages are reached from an email (PUBLIC_URL without its trailing slash), or undefined. */
export function pagesLinkBase(config: Pick<Config, 'HOSTED_PAGES' | 'PUBLIC_URL'>): string | undefined {
  return config.HOSTED_PAGES && config.PUBLIC_URL ? config.PUBLIC_URL.replace(/\/+$/, '') : undefined;
}

/** The link of each email that carries a token: the configured template, else the hosted page's. */
export function emailLinkTemplates(config: Config): { reset?: string; verify?: string; emailChange?: string } {
  const pages = pagesLinkBase(config);
  // One page confirms both kinds of link: it tries the token as each.
  const page = (path: string) => (pages ? `${pages}/${path}?token={token}` : undefined);
  return {
    reset: config.RESET_URL_TEMPLATE ?? page('reset'),
    verify: config.VERIFY_URL_TEMPLATE ?? page('verify'),
    emailChange: config.EMAIL_CHANGE_URL_TEMPLATE ?? page('verify'),
  };
}

/** The validated settings, named as the environment names them. */
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

const SECRET_VARIABLES = new Set<string>(['ENCRYPTION_KEYS', 'JWT_SIGNING_KEYS']);

/** Parses the environment; a bad value throws a one-line ConfigError naming the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const names = Object.keys(VARIABLES);
  const present = Object.fromEntries(
    Object.entries(source).filter(([name, value]) => names.includes(name) && value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    // A key's value must not reach the log, even a wrong one.
    const shown = SECRET_VARIABLES.has(name) ? '<hidden>' : JSON.stringify(source[name] ?? '');
    throw new ConfigError(`Invalid ${name}=${shown}: ${issue?.message}`);
  }
  return parsed.data;
}
