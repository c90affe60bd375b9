import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, AuthenticatorTransport, RegistrationResponseJSON } from '@simplewebauthn/server';
import type {
  AuthenticationOptionsInput,
  Passkey,
  RegistrationOptionsInput,
  VerifiedAssertion,
  VerifiedRegistration,
  WebAuthnCeremony,
  WebAuthnJson,
} from '@latchkey/domain';

export interface RelyingParty {
  /** The RP ID: a registrable domain suffix of the origins (`auth.example.com`, `example.com`). */
  id: string;
  name: string;
  /** The origins allowed to run a ceremony (`https://auth.example.com`). */
  origins: readonly string[];
  userVerification: 'preferred' | 'required';
}

/** ES256 (P-256) and EdDSA (Ed25519), the algorithms of passkeys; RS256 for older Windows Hello keys. */
const ALGORITHMS = [-7, -8, -257];

/**
 * The WebAuthn ceremonies of one relying party, by @simplewebauthn/server. Attestation
 * `none` is asked for and accepted (the authenticator's make is not checked). The library
 * is given a stored counter of 0 so that it leaves the counter rule to the domain, where
 * it is one conditional update.
 */
export class SimpleWebAuthnCeremony implements WebAuthnCeremony {
  constructor(private readonly rp: RelyingParty) {}

  async registrationOptions(input: RegistrationOptionsInput): Promise<WebAuthnJson> {
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName: input.userName,
      userID: Buffer.from(input.userHandle, 'base64url'),
      challenge: Buffer.from(input.challenge, 'base64url'),
      timeout: input.timeoutMs,
      attestationType: 'none',
      excludeCredentials: input.exclude.map((c) => ({ id: c.credentialId, transports: c.transports as AuthenticatorTransport[] })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: this.rp.userVerification },
      supportedAlgorithmIDs: ALGORITHMS,
    });
    return options as unknown as WebAuthnJson;
  }

  async authenticationOptions(input: AuthenticationOptionsInput): Promise<WebAuthnJson> {
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      challenge: Buffer.from(input.challenge, 'base64url'),
      timeout: input.timeoutMs,
      allowCredentials: input.allow.map((c) => ({ id: c.credentialId, transports: c.transports as AuthenticatorTransport[] })),
      userVerification: this.rp.userVerification,
    });
    return options as unknown as WebAuthnJson;
  }

  async verifyRegistration(response: WebAuthnJson, challenge: string): Promise<VerifiedRegistration | null> {
    try {
      const verified = await verifyRegistrationResponse({
        response: response as unknown as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: [...this.rp.origins],
        expectedRPID: this.rp.id,
        requireUserPresence: true,
        requireUserVerification: this.rp.userVerification === 'required',
        supportedAlgorithmIDs: ALGORITHMS,
      });
      if (!verified.verified) return null;
      const info = verified.registrationInfo;
      return {
        credentialId: info.credential.id,
        publicKey: new Uint8Array(info.credential.publicKey),
        counter: info.credential.counter,
        transports: stringsOf((response as { response?: { transports?: unknown } }).response?.transports),
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        userVerified: info.userVerified,
      };
    } catch {
      // A malformed or refused answer: the library says why in its message, which may echo input.
      return null;
    }
  }

  async verifyAuthentication(response: WebAuthnJson, challenge: string, passkey: Passkey): Promise<VerifiedAssertion | null> {
    try {
      const verified = await verifyAuthenticationResponse({
        response: response as unknown as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: [...this.rp.origins],
        expectedRPID: this.rp.id,
        credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0, transports: passkey.transports as AuthenticatorTransport[] },
        requireUserVerification: this.rp.userVerification === 'required',
      });
      if (!verified.verified) return null;
      const info = verified.authenticationInfo;
      return { newCounter: info.newCounter, userVerified: info.userVerified, backedUp: info.credentialBackedUp };
    } catch {
      return null;
    }
  }
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
