/**
 * Every code a DomainError can carry: stable names that clients, pages and catalogs key on
 * (the messages may be reworded, the codes may not). The HTTP mapping is a table over this
 * union, so the compiler refuses a code that has no status.
 */
export const ERROR_CODES = [
  'no_result_found',
  'invalid_request',
  'unknown_attribute',
  'user_already_exists',
  'unknown_user',
  'invalid_reset_token',
  'invalid_credentials',
  'not_authenticated',
  'unknown_session',
  'invalid_input',
  'too_many_attempts',
  'overloaded',
  'dependency_unavailable',
  'too_many_reset_requests',
  'reset_requests_unavailable',
  'login_unavailable',
  'wrong_password',
  'invalid_email_token',
  'mail_unavailable',
  'second_factor_required',
  'invalid_second_factor_code',
  'no_pending_login',
  'too_many_second_factor_failures',
  'second_factor_state',
  'secret_box_unavailable',
  'second_factor_checks_unavailable',
  'no_live_session',
  'signing_key_unavailable',
  'key_rotation_refused',
  'unknown_webhook_endpoint',
  'unknown_webhook_delivery',
  'invalid_api_key',
  'read_only_api_key',
  'unknown_api_key',
  'unknown_user_id',
  'too_many_reset_token_failures',
  'reset_token_checks_unavailable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
