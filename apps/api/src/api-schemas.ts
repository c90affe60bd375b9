import { z } from 'zod';
import { ERROR_CODES } from '@latchkey/domain';
import type { ZodOpenApiResponseObject, oas31 } from 'zod-openapi';

/**
 * A required field of a form or JSON body: missing, empty or not a string answers 400
 * "<field> is required" (see validBody).
 */
export const requiredText = z.string({ error: 'is required' }).min(1, { error: 'is required' });

/** Every failure's body: the contract's message, and the code of a domain refusal. */
export const ErrorBody = z
  .strictObject({
    message: z.string(),
    code: z.enum(ERROR_CODES).optional().meta({ description: 'Stable name of a domain refusal; absent on transport errors (404, 405, 413, 415, 500).' }),
  })
  .meta({ id: 'Error' });

export const Email = z.string().meta({ description: 'The email as registered (trimmed, case kept).' });

export const Secret = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/)
  .meta({ description: '256 random bits, base64url.' });

export type Headers = oas31.HeadersObject;

export function json(description: string, schema: z.ZodType, headers?: Headers): ZodOpenApiResponseObject {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } };
}

export function failure(description: string, headers?: Headers): ZodOpenApiResponseObject {
  return json(description, ErrorBody, headers);
}

export const RETRY_AFTER: Headers = {
  'Retry-After': { description: 'Seconds before trying again.', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
};

export function setCookieHeader(description: string, required = true): Headers {
  return { 'Set-Cookie': { description, required, schema: { type: 'string' } } };
}

export const SET_SESSION_COOKIE = setCookieHeader(
  '`session_id=<id>; Path=/; Max-Age=<SESSION_TTL_SECONDS>; HttpOnly; SameSite=Lax` (and `Secure` with COOKIE_SECURE).',
);

export const CLEARED_SESSION_COOKIE = setCookieHeader('`session_id=; …; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`: the cookie is cleared.');

export const DATABASE_DOWN = 'the database is down, cannot write (disk full) or did not answer within DATABASE_TIMEOUT_MS';

/** Every route that reads or writes the database answers 503 while it is unavailable. */
export const UNAVAILABLE = failure(`The service is unavailable for a moment: ${DATABASE_DOWN}.`, RETRY_AFTER);

/** Routes that hash a password refuse at once, rather than queue without end, when hashing is saturated. */
export const OVERLOADED = failure(`Password hashing is saturated (HASH_CONCURRENCY busy and HASH_QUEUE_MAX waiting), or ${DATABASE_DOWN}.`, RETRY_AFTER);

/**
 * What the browser's navigator.credentials.create()/get() gave, as JSON (what
 * @simplewebauthn/browser's startRegistration/startAuthentication answer): checked here for
 * shape and size only; the ceremony verifies the rest.
 */
export const WebAuthnResponse = z
  .looseObject({
    id: z.string().min(1).max(1400).regex(/^[A-Za-z0-9_-]+$/, { error: 'must be base64url' }),
    rawId: z.string().max(1400),
    type: z.literal('public-key'),
    response: z.looseObject({ clientDataJSON: z.string().max(4096) }),
  })
  .meta({ id: 'WebAuthnResponse', description: 'A RegistrationResponseJSON or AuthenticationResponseJSON (WebAuthn Level 3 toJSON()).' });

/** Creation or request options for the browser, as JSON (what startRegistration/startAuthentication take as optionsJSON). */
export const WebAuthnOptions = z.looseObject({ challenge: z.string() }).meta({ description: 'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON.' });

export const PASSKEYS_OFF = failure('"passkeys are not configured": neither PUBLIC_URL nor WEBAUTHN_RP_ID is set (code `passkeys_unconfigured`).');
