import type { Context, Next } from 'koa';
import {
  DependencyUnavailableError,
  InvalidCredentialsError,
  InvalidEmailTokenError,
  InvalidResetTokenError,
  MailUnavailableError,
  InvalidSecondFactorCodeError,
  NoPendingLoginError,
  SecondFactorStateError,
  SecondFactorThrottleUnavailableError,
  SecretBoxUnavailableError,
  TooManySecondFactorFailuresError,
  NotAuthenticatedError,
  OverloadedError,
  ResetRequestsUnavailableError,
  ThrottleUnavailableError,
  TooManyAttemptsError,
  TooManyResetRequestsError,
  UnknownSessionError,
  UnknownUserError,
  UserAlreadyExistsError,
  ValidationError,
  WrongPasswordError,
} from '@latchkey/domain';

interface HttpFailure {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** The one place where a failure becomes an HTTP status and a JSON body. */
export function toHttpFailure(error: unknown): HttpFailure {
  if (error instanceof UserAlreadyExistsError) return { status: 400, message: 'email already registered' };
  if (error instanceof ValidationError) return { status: 400, message: error.message };
  if (error instanceof InvalidCredentialsError) return { status: 401, message: 'invalid email or password' };
  if (error instanceof NotAuthenticatedError) return { status: 403, message: 'forbidden' };
  if (error instanceof UnknownUserError) return { status: 403, message: 'forbidden' };
  if (error instanceof UnknownSessionError) return { status: 404, message: 'not found' };
  if (error instanceof InvalidResetTokenError) return { status: 403, message: 'invalid reset token' };
  if (error instanceof WrongPasswordError) return { status: 401, message: 'wrong password' };
  if (error instanceof InvalidEmailTokenError) return { status: 400, message: 'invalid or expired link' };
  if (error instanceof MailUnavailableError) return { status: 501, message: 'email is not configured' };
  if (error instanceof TooManyAttemptsError) {
    return { status: 429, message: 'too many failed logins; try again later', headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof InvalidSecondFactorCodeError) return { status: 401, message: error.message.toLowerCase() };
  if (error instanceof NoPendingLoginError) return { status: 403, message: 'no pending login; log in again' };
  if (error instanceof SecondFactorStateError) return { status: 409, message: error.message.toLowerCase() };
  if (error instanceof TooManySecondFactorFailuresError) {
    return { status: 429, message: 'too many wrong codes; log in again later', headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof SecretBoxUnavailableError || error instanceof SecondFactorThrottleUnavailableError) {
    return { status: 503, message: error.message, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof TooManyResetRequestsError) {
    return { status: 429, message: 'too many reset requests; try again later', headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof ResetRequestsUnavailableError) {
    return { status: 503, message: 'password resets are unavailable for a moment; try again later', headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof ThrottleUnavailableError) {
    return { status: 503, message: 'logins are unavailable for a moment; try again later', headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof DependencyUnavailableError) {
    return { status: 503, message: 'service unavailable; try again later', headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof OverloadedError) {
    return { status: 503, message: 'server busy; try again later', headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  const { status, expose, message, headers } = error as { status?: number; expose?: boolean; message?: string; headers?: Record<string, string> };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: expose && message ? message : defaultMessage(status), headers };
  }
  return { status: 500, message: 'internal server error' };
}

const MESSAGES: Record<number, string> = {
  404: 'not found',
  405: 'method not allowed',
  413: 'request body too large',
  415: 'unsupported media type',
  501: 'not implemented',
};

function defaultMessage(status: number): string {
  return MESSAGES[status] ?? 'bad request';
}

export async function handleErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    // Statuses set without a body (404 from no route, 405/501 from the router) get one too.
    if (ctx.status >= 400 && (ctx.body === undefined || ctx.body === null)) {
      const status = ctx.status;
      ctx.body = { message: defaultMessage(status) };
      ctx.status = status;
    }
  } catch (error) {
    const failure = toHttpFailure(error);
    // Only the unexpected is logged: a flood of 503s must not flood the log too.
    if (failure.status === 500) ctx.app.emit('error', error, ctx);
    if (failure.headers) ctx.set(failure.headers);
    ctx.status = failure.status;
    ctx.body = { message: failure.message };
  }
}
