import { ConfigError } from '@latchkey/runtime';

/**
 * Exit codes of a server that could not start, distinct from a crash (1), so that a
 * supervisor can tell a setting to fix from a dependency to wait for (sysexits.h values).
 */
export const START_EXIT = { config: 78, unavailable: 69 } as const;

export interface StartFailure {
  /** What could not be done, in a few words, without secrets. */
  what: string;
  /** The driver's or the system's error code, or the error's name. */
  code: string;
  exitCode: number;
}

interface ErrorFields {
  message?: string;
  code?: unknown;
  syscall?: string;
  address?: string;
  port?: number;
  name?: string;
  cause?: unknown;
}

/** The one line an operator reads, and the exit code, for an error thrown while starting. */
export function describeStartFailure(error: unknown): StartFailure {
  const fields = (error ?? {}) as ErrorFields;
  const message = firstLine(fields.message ?? String(error));
  const code = codeOf(error);
  const unavailable = (what: string, withCode = code) => ({ what, code: withCode, exitCode: START_EXIT.unavailable });
  if (error instanceof ConfigError) {
    const mail = /^Invalid SMTP_URL: the mail server does not answer/.test(message);
    return mail ? unavailable(`mail server${at(fields.cause)} does not answer`, codeOf(fields.cause)) : { what: message, code: 'config', exitCode: START_EXIT.config };
  }
  const redis = /^(Redis at \S+ does not answer)/.exec(message);
  if (redis) return unavailable(redis[1]!, codeOf(fields.cause));
  if (fields.syscall === 'listen') return unavailable(`cannot listen on ${fields.address ?? ''}:${fields.port ?? ''}`);
  if (typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code)) return unavailable(postgresFailure(fields.code, message));
  if (fields.syscall === 'connect' || fields.syscall === 'getaddrinfo' || fields.name === 'KnexTimeoutError') {
    return unavailable(`database${at(error)} does not answer`);
  }
  if (code.startsWith('SQLITE_')) return unavailable(`database file: ${message}`);
  return unavailable(message);
}

function postgresFailure(sqlState: string, message: string): string {
  // Class 28: invalid authorization (wrong password, unknown role, refused by pg_hba.conf).
  if (sqlState.startsWith('28')) return `database refused the connection: ${message}`;
  return message.startsWith('database') ? message : `database: ${message}`;
}

function codeOf(error: unknown): string {
  const fields = (error ?? {}) as ErrorFields;
  if (typeof fields.code === 'string' && fields.code) return fields.code;
  const fromMessage = /\b(E[A-Z]{4,})\b/.exec(fields.message ?? '');
  if (fromMessage) return fromMessage[1]!;
  if (fields.cause) return codeOf(fields.cause);
  return fields.name ?? 'Error';
}

function at(error: unknown): string {
  const { address, port } = (error ?? {}) as ErrorFields;
  return address ? ` at ${address}:${port ?? ''}` : '';
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
