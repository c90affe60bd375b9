import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * A WebAuthn authenticator in software, for tests: real P-256 (ES256) and Ed25519 (EdDSA)
 * keys from node:crypto, real authenticator data (RP ID hash, flags, counter, attested
 * credential data with a COSE key in CBOR), client data, a `none` attestation object, and
 * real signatures over authenticatorData || SHA-256(clientDataJSON). Nothing is mocked: the
 * server verifies what it makes as it verifies a browser's.
 */

type CborValue = number | string | Uint8Array | CborValue[] | Map<CborValue, CborValue> | { [key: string]: CborValue };

/** The CBOR of the few types WebAuthn uses (RFC 8949): integers, byte and text strings, arrays, maps. */
export function cbor(value: CborValue): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  const entries: Array<[CborValue, CborValue]> = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(length, 1);
  return out;
}

export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
export const FLAG_BE = 0x08;
export const FLAG_BS = 0x10;
export const FLAG_AT = 0x40;

export type Algorithm = 'ES256' | 'EdDSA';

export interface Credential {
  id: Buffer;
  algorithm: Algorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  userHandle: string;
  rpId: string;
  counter: number;
}

export interface AuthenticatorOptions {
  algorithm?: Algorithm;
  /** Set UV (a PIN or biometric was checked). */
  userVerification?: boolean;
  /** Set BE and BS: a synced passkey. */
  synced?: boolean;
  /** Added to the counter at each assertion; 0 for an authenticator that keeps none. */
  counterStep?: number;
}

export interface CeremonyOverrides {
  /** The origin the client data names. */
  origin: string;
  /** The RP ID hashed into the authenticator data (the options' when absent). */
  rpId?: string;
  /** The challenge the client data names (the options' when absent). */
  challenge?: string;
  /** The counter to report instead of the next one. */
  counter?: number;
  userVerification?: boolean;
  /** The credential to use (the first allowed one, or the first made, when absent). */
  credential?: Credential;
}

type Json = Record<string, unknown>;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export class SoftwareAuthenticator {
  readonly credentials: Credential[] = [];
  private readonly options: Required<AuthenticatorOptions>;

  constructor(options: AuthenticatorOptions = {}) {
    this.options = { algorithm: 'ES256', userVerification: true, synced: false, counterStep: 1, ...options };
  }

  /** navigator.credentials.create() for these creation options: a RegistrationResponseJSON. */
  register(optionsJSON: Json, overrides: CeremonyOverrides): Json {
    const rp = optionsJSON.rp as { id: string };
    const user = optionsJSON.user as { id: string };
    const { privateKey, publicKey } = this.options.algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    const credential: Credential = { id: randomBytes(32), algorithm: this.options.algorithm, privateKey, publicKey, userHandle: user.id, rpId: rp.id, counter: 0 };
    const attested = Buffer.concat([Buffer.alloc(16), u16(credential.id.length), credential.id, coseKey(credential)]);
    const authData = this.authenticatorData(overrides.rpId ?? rp.id, FLAG_AT | this.flags(overrides), credential.counter, attested);
    const clientDataJSON = clientData('webauthn.create', overrides.challenge ?? String(optionsJSON.challenge), overrides.origin);
    this.credentials.push(credential);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(cbor({ fmt: 'none', attStmt: {}, authData })),
        transports: ['internal', 'hybrid'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get() for these request options: an AuthenticationResponseJSON. */
  assert(optionsJSON: Json, overrides: CeremonyOverrides): Json {
    const allowed = ((optionsJSON.allowCredentials as Array<{ id: string }> | undefined) ?? []).map((c) => c.id);
    const credential =
      overrides.credential ?? this.credentials.find((c) => allowed.length === 0 || allowed.includes(b64url(c.id))) ?? this.credentials[0];
    if (!credential) throw new Error('this authenticator holds no credential');
    credential.counter = overrides.counter ?? credential.counter + this.options.counterStep;
    const authData = this.authenticatorData(overrides.rpId ?? String(optionsJSON.rpId ?? credential.rpId), this.flags(overrides), credential.counter);
    const clientDataJSON = clientData('webauthn.get', overrides.challenge ?? String(optionsJSON.challenge), overrides.origin);
    const signed = Buffer.concat([authData, sha256(clientDataJSON)]);
    const signature = credential.algorithm === 'ES256' ? sign('sha256', signed, credential.privateKey) : sign(null, signed, credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private flags(overrides: CeremonyOverrides): number {
    const uv = overrides.userVerification ?? this.options.userVerification;
    return FLAG_UP | (uv ? FLAG_UV : 0) | (this.options.synced ? FLAG_BE | FLAG_BS : 0);
  }

  private authenticatorData(rpId: string, flags: number, counter: number, attested: Buffer = Buffer.alloc(0)): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, attested]);
  }
}

/** A signature with one bit flipped: the same length and shape, no longer the key's. */
export function tampered(response: Json): Json {
  const inner = response.response as Json;
  const signature = Buffer.from(String(inner.signature), 'base64url');
  signature[signature.length - 1]! ^= 0x01;
  return { ...response, response: { ...inner, signature: b64url(signature) } };
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

function u16(value: number): Buffer {
  return Buffer.from([value >> 8, value & 0xff]);
}

/** The credential's public key as COSE (RFC 9053): EC2 P-256 with ES256 (-7), or OKP Ed25519 with EdDSA (-8). */
function coseKey(credential: Credential): Buffer {
  const jwk = credential.publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  if (credential.algorithm === 'ES256') {
    const y = Buffer.from(jwk.y!, 'base64url');
    return cbor(new Map<CborValue, CborValue>([[1, 2], [3, -7], [-1, 1], [-2, x], [-3, y]]));
  }
  return cbor(new Map<CborValue, CborValue>([[1, 1], [3, -8], [-1, 6], [-2, x]]));
}
