/** The logging the services need; pino's logger fits it. */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  /** Lines for tracing (each webhook delivered); pino writes them at LOG_LEVEL=debug. */
  debug?(fields: object, message: string): void;
}

function line(level: string, fields: object, message: string): string {
  return JSON.stringify({ level, time: Date.now(), msg: message, ...fields });
}

/** One JSON object a line, on stdout (info) and stderr (warnings and errors). */
export const jsonLineLogger: Logger = {
  info: (fields, message) => console.log(line('info', fields, message)),
  warn: (fields, message) => console.error(line('warn', fields, message)),
  error: (fields, message) => console.error(line('error', fields, message)),
};
