import {
  DependencyUnavailableError,
  InvalidRequestError,
  KeyRotationRefusedError,
  LastSignInMethodError,
  NoResultFound,
  UnknownSessionError,
  UnknownApiKeyError,
  UnknownPasskeyError,
  UnknownUserError,
  UnknownWebhookDeliveryError,
  UnknownWebhookEndpointError,
  UserAlreadyExistsError,
  ValidationError,
} from '@latchkey/domain';

/** What scripts can rely on; the README and `--help` list the same codes. */
export const EXIT = {
  ok: 0,
  notFound: 1,
  usage: 2,
  refused: 3,
  unavailable: 4,
  cancelled: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command line itself is wrong: unknown command or option, missing argument. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` to point at, when there is one. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** No user has the email given on the command line. */
export class UserNotFoundError extends Error {
  constructor(readonly email: string) {
    super(`no user with email ${email}`);
  }
}

/** The command was understood but a rule says no (e.g. the two passwords differ). */
export class RefusedError extends Error {}

/** The database cannot serve the command yet (no file, migrations pending). */
export class DatabaseNotReadyError extends Error {}

/** An environment variable has a value the configuration refuses. */
export class SettingsError extends Error {}

/** The person at the prompt gave up (Ctrl-C). */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

interface CliFailure {
  code: ExitCode;
  message: string;
}

/** The one place where a failure becomes an exit code and a one-line message. */
export function toCliFailure(error: unknown): CliFailure {
  if (error instanceof UsageError) {
    const hint = `run \`latchkey ${error.command ? `${error.command} ` : ''}--help\``;
    return { code: EXIT.usage, message: `${error.message} (${hint})` };
  }
  if (error instanceof UserNotFoundError) return { code: EXIT.notFound, message: error.message };
  if (error instanceof UnknownUserError || error instanceof NoResultFound) return { code: EXIT.notFound, message: 'no such user' };
  if (error instanceof UnknownSessionError) return { code: EXIT.notFound, message: 'no such session of this user' };
  if (error instanceof UnknownWebhookEndpointError || error instanceof UnknownWebhookDeliveryError || error instanceof UnknownApiKeyError) return { code: EXIT.notFound, message: error.message };
  if (error instanceof UnknownPasskeyError) return { code: EXIT.notFound, message: 'no such passkey' };
  if (error instanceof LastSignInMethodError) return { code: EXIT.refused, message: error.message };
  if (error instanceof UserAlreadyExistsError) return { code: EXIT.refused, message: `${error.email} is already registered` };
  if (error instanceof ValidationError || error instanceof InvalidRequestError || error instanceof RefusedError || error instanceof KeyRotationRefusedError) {
    return { code: EXIT.refused, message: firstLine(error.message) };
  }
  if (error instanceof CancelledError) return { code: EXIT.cancelled, message: error.message };
  if (error instanceof SettingsError || error instanceof DatabaseNotReadyError) return { code: EXIT.unavailable, message: firstLine(error.message) };
  // An operator wants the driver's reason (connection refused, disk full), not "try again later".
  if (error instanceof DependencyUnavailableError && error.cause) {
    return { code: EXIT.unavailable, message: `cannot complete the command: ${describeUnexpected(error.cause)}` };
  }
  return { code: EXIT.unavailable, message: `cannot complete the command: ${describeUnexpected(error)}` };
}

// Driver errors (connection refused, missing table, ...) carry their cause in the message;
// the stack would tell an operator nothing more.
function describeUnexpected(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = withoutQuery(leadingLines(error.message)) || error.name;
    return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
  }
  return firstLine(String(error));
}

// Knex prefixes a driver's message with the whole query: keep the driver's part.
function withoutQuery(message: string): string {
  const cut = message.lastIndexOf(' - ');
  return /^(select|insert|update|delete|create|alter|drop|with)\b/i.test(message) && cut >= 0 ? message.slice(cut + 3) : message;
}

/** The message up to any stack or require chain, as one line. */
function leadingLines(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((line) => /^\s*(at |Require stack:)/.test(line));
  return (end === -1 ? lines : lines.slice(0, end)).map((line) => line.trim()).filter(Boolean).join(' ');
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}
