import type { Context } from 'koa';
import { DomainError, RetryLaterError } from '@latchkey/domain';
import type { ErrorCode } from '@latchkey/domain';

interface HttpFailure {
  status: number;
  message: string;
  code?: string;
  headers?: Record<string, string>;
}

/**
 * Each domain error code's status, and its message where the contract's wording differs
 * from the error's own (otherwise the error's message is the body's). A `Record` over every
 * code: a new code without a row does not compile.
 */
export const HTTP_STATUS: Record<ErrorCode, { status: number; message?: string }> = {
  // The contract's storage errors: a route that lets one out has a bug.
  no_result_found: { status: 500, message: 'internal server error' },
  invalid_request: { status: 500, message: 'internal server error' },
  unknown_attribute: { status: 500, message: 'internal server error' },
  user_already_exists: { status: 400, message: 'email already registered' },
  unknown_user: { status: 403, message: 'forbidden' },
  invalid_reset_token: { status: 403 },
  invalid_credentials: { status: 401 },
  not_authenticated: { status: 403, message: 'forbidden' },
  unknown_session: { status: 404, message: 'not found' },
  invalid_input: { status: 400 },
  too_many_attempts: { status: 429 },
  overloaded: { status: 503 },
  dependency_unavailable: { status: 503, message: 'service unavailable; try again later' },
  too_many_reset_requests: { status: 429 },
  reset_requests_unavailable: { status: 503 },
  login_unavailable: { status: 503 },
  wrong_password: { status: 401 },
  invalid_email_token: { status: 400 },
  mail_unavailable: { status: 501 },
  second_factor_required: { status: 401 },
  invalid_second_factor_code: { status: 401 },
  no_pending_login: { status: 403 },
  too_many_second_factor_failures: { status: 429 },
  second_factor_state: { status: 409 },
  secret_box_unavailable: { status: 503 },
  second_factor_checks_unavailable: { status: 503 },
  // What other services call: a proxy's forward auth reads 401 as "not signed in".
  no_live_session: { status: 401 },
  signing_key_unavailable: { status: 503 },
  key_rotation_refused: { status: 409 },
  // Operators' webhooks (the command line) and the admin API's keys:
  unknown_webhook_endpoint: { status: 404, message: 'not found' },
  unknown_webhook_delivery: { status: 404, message: 'not found' },
  invalid_api_key: { status: 401, message: 'a valid API key is required' },
  read_only_api_key: { status: 403, message: 'this API key is read-only' },
  unknown_api_key: { status: 404, message: 'not found' },
  unknown_user_id: { status: 404, message: 'not found' },
  too_many_reset_token_failures: { status: 429 },
  reset_token_checks_unavailable: { status: 503 },
  // Passkeys:
  passkeys_unconfigured: { status: 501 },
  invalid_passkey: { status: 401 },
  no_passkey_ceremony: { status: 400 },
  passkey_limit: { status: 409 },
  passkey_exists: { status: 409 },
  unknown_passkey: { status: 404, message: 'not found' },
  last_sign_in_method: { status: 409 },
  step_up_required: { status: 403 },
};

/** The one place where a failure becomes an HTTP status and a JSON body. */
export function toHttpFailure(error: unknown): HttpFailure {
  if (error instanceof DomainError) {
    const { status, message } = HTTP_STATUS[error.code];
    if (status === 500) return { status, message: message! };
    const headers = error instanceof RetryLaterError ? { 'Retry-After': String(error.retryAfterSeconds) } : undefined;
    return { status, message: message ?? error.message, code: error.code, headers };
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

/** Statuses set without a body (404 from no route, 405/501 from the router) get one too. */
export function bodyOfBareFailure(ctx: Context): void {
  if (ctx.status >= 400 && (ctx.body === undefined || ctx.body === null)) {
    const status = ctx.status;
    ctx.body = { message: defaultMessage(status) };
    ctx.status = status;
  }
}

/** Answers what a middleware or route threw, as toHttpFailure maps it. */
export function answerFailure(ctx: Context, error: unknown): void {
  const failure = toHttpFailure(error);
  // Only the unexpected is logged: a flood of 503s must not flood the log too.
  if (failure.status === 500) ctx.app.emit('error', error, ctx);
  if (failure.headers) ctx.set(failure.headers);
  ctx.status = failure.status;
  ctx.body = failure.code ? { message: failure.message, code: failure.code } : { message: failure.message };
}
