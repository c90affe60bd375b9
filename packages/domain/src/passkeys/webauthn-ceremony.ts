import type { Passkey } from './passkey';

/** A JSON object as the browser's WebAuthn calls take or give it. */
export type WebAuthnJson = { [field: string]: unknown };

export interface CredentialDescriptor {
  credentialId: string;
  transports: string[];
}

export interface RegistrationOptionsInput {
  /** The WebAuthn user handle, base64url: opaque, names no email. */
  userHandle: string;
  userName: string;
  challenge: string;
  exclude: readonly CredentialDescriptor[];
  timeoutMs: number;
}

export interface AuthenticationOptionsInput {
  challenge: string;
  /** Empty: discoverable credentials. */
  allow: readonly CredentialDescriptor[];
  timeoutMs: number;
}

/** What a verified attestation gives to store. */
export interface VerifiedRegistration {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: Passkey['deviceType'];
  backedUp: boolean;
  userVerified: boolean;
}

export interface VerifiedAssertion {
  newCounter: number;
  userVerified: boolean;
  backedUp: boolean;
}

/**
 * The WebAuthn ceremonies of one relying party (its id, name and allowed origins are the
 * adapter's configuration). Verification checks the challenge, the origin, the RP ID hash,
 * user presence, user verification when the settings require it, and the signature; the
 * counter rule is the domain's (recordUse), not the adapter's.
 */
export interface WebAuthnCeremony {
  registrationOptions(input: RegistrationOptionsInput): Promise<WebAuthnJson>;
  authenticationOptions(input: AuthenticationOptionsInput): Promise<WebAuthnJson>;
  /** The verified credential, or null for an answer that does not verify. */
  verifyRegistration(response: WebAuthnJson, challenge: string): Promise<VerifiedRegistration | null>;
  verifyAuthentication(response: WebAuthnJson, challenge: string, passkey: Passkey): Promise<VerifiedAssertion | null>;
}
