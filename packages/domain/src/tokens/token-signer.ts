import type { KeyPair, SigningAlgorithm } from './signing-key';

/**
 * The RFC 8176 methods a token may name: `pwd` (password), `otp` (one-time code), `hwk`
 * (proof of possession of a hardware-bound key: a passkey), `user` (a user presence test).
 */
export type AmrValue = 'pwd' | 'otp' | 'hwk' | 'user';

/** The claims of a session's token; times in seconds since the epoch (RFC 7519). */
export interface SessionTokenClaims {
  iss: string;
  aud: string;
  /** The user's id, as a string. */
  sub: string;
  email: string;
  /** The session's public id. */
  sid: string;
  /** How the login was proven (RFC 8176): `pwd`, `otp` after a code, `hwk` for a passkey. */
  amr: string[];
  iat: number;
  exp: number;
}

/** Makes key pairs and signs JWTs with them (an adapter over a JOSE library). */
export interface TokenSigner {
  generate(algorithm: SigningAlgorithm): Promise<KeyPair>;
  /** Reads a private JWK given by configuration; throws when it is not an Ed25519 or P-256 private key. */
  read(privateJwk: string): Promise<KeyPair>;
  /** A compact JWS of the claims, its header naming the key's kid and algorithm. */
  sign(claims: SessionTokenClaims, key: KeyPair): Promise<string>;
}
