import pino from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';

export type { Logger };
export type LogLevel = Level | 'silent';

/**
 * Defence in depth: the request log never carries bodies, headers or URLs, but should a
 * future line include one of these keys, its value is replaced rather than written.
 */
const SECRET_PATHS = [
  'password',
  'new_password',
  'reset_token',
  'token',
  'sessionId',
  'session_id',
  'cookie',
  '*.password',
  '*.new_password',
  '*.reset_token',
  '*.token',
  '*.sessionId',
  '*.session_id',
  '*.cookie',
  'headers.authorization',
  'headers["set-cookie"]',
  '*.headers.cookie',
  '*.headers.authorization',
  '*.headers["set-cookie"]',
];

/** The service's JSON logger (one object a line), written to stdout unless told otherwise. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'latchkey', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const silentLogger: Logger = createLogger('silent');
