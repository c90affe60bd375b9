/** The algorithms a key set may hold: Ed25519 (EdDSA, the default) and P-256 (ES256). */
export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** A public key as the key set publishes it (RFC 7517): OKP Ed25519 or EC P-256. */
export interface PublicJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  /** EC keys only. */
  y?: string;
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
}

/**
 * A key pair as a TokenSigner makes or reads it. `privateKey` is the private key
 * serialized (a private JWK): it is stored only sealed, and never leaves the service.
 */
export interface KeyPair {
  /** The public key's JWK thumbprint (RFC 7638): the same key has the same kid on every instance. */
  kid: string;
  algorithm: SigningAlgorithm;
  publicJwk: PublicJwk;
  privateKey: string;
}

/**
 * A signing key as the database keeps it. Generations number the keys in the order they
 * were made: two instances that make one at the same time race for the same generation,
 * and one wins. The public key is kept in clear (the key set is served even when the
 * sealed private key no longer opens).
 */
export interface StoredSigningKey {
  generation: number;
  kid: string;
  algorithm: SigningAlgorithm;
  publicJwk: PublicJwk;
  /** The private key, sealed with the SecretBox (ENCRYPTION_KEYS). */
  sealedPrivateKey: string;
  /** Epoch milliseconds: published from then on. */
  createdAt: number;
  /** Epoch milliseconds: tokens are signed with it from then on (until a later key signs). */
  signsFrom: number;
}
