import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import type { KeyPair, PublicJwk, SessionTokenClaims, SigningAlgorithm, TokenSigner } from '@latchkey/domain';

const CURVES: Record<SigningAlgorithm, { kty: PublicJwk['kty']; crv: PublicJwk['crv'] }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
};

/** Imported private keys kept, by kid: more than a key set ever publishes. */
const IMPORTED_MAX = 16;

/**
 * JWTs signed with `jose` (panva/jose: no dependencies, Web Crypto underneath, the JOSE
 * library most JavaScript verifiers already use). Each private key is imported once and
 * reused for every token it signs.
 */
export class JoseTokenSigner implements TokenSigner {
  private readonly imported = new Map<string, Promise<CryptoKey | Uint8Array>>();

  async generate(algorithm: SigningAlgorithm): Promise<KeyPair> {
    const { privateKey } = await generateKeyPair(algorithm, { extractable: true, ...(algorithm === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    return pairOf(await exportJWK(privateKey), algorithm);
  }

  async read(privateJwk: string): Promise<KeyPair> {
    let jwk: JWK;
    try {
      jwk = JSON.parse(privateJwk) as JWK;
    } catch {
      throw new TypeError('a signing key must be a private JWK in JSON');
    }
    const algorithm = algorithmOf(jwk);
    if (typeof jwk.d !== 'string') throw new TypeError('a signing key must be a private JWK (it has no "d")');
    await importJWK(jwk, algorithm);
    return pairOf(jwk, algorithm, typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : undefined);
  }

  async sign(claims: SessionTokenClaims, key: KeyPair): Promise<string> {
    return new SignJWT({ ...claims } as JWTPayload).setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'JWT' }).sign(await this.importOnce(key));
  }

  private importOnce(key: KeyPair): Promise<CryptoKey | Uint8Array> {
    let imported = this.imported.get(key.kid);
    if (!imported) {
      if (this.imported.size >= IMPORTED_MAX) this.imported.delete(this.imported.keys().next().value!);
      imported = importJWK(JSON.parse(key.privateKey) as JWK, key.algorithm);
      // A failed import is not kept: the next token tries again.
      imported.catch(() => this.imported.delete(key.kid));
      this.imported.set(key.kid, imported);
    }
    return imported;
  }
}

function algorithmOf(jwk: JWK): SigningAlgorithm {
  const found = (Object.keys(CURVES) as SigningAlgorithm[]).find((algorithm) => CURVES[algorithm].kty === jwk.kty && CURVES[algorithm].crv === jwk.crv);
  if (!found) throw new TypeError('a signing key must be an Ed25519 (OKP) or P-256 (EC) JWK');
  if (jwk.alg !== undefined && jwk.alg !== found) throw new TypeError(`a ${jwk.crv} key signs with ${found}, not ${jwk.alg}`);
  return found;
}

/** The pair of a private JWK: the public members only in the published key, the kid its thumbprint unless given. */
async function pairOf(jwk: JWK, algorithm: SigningAlgorithm, givenKid?: string): Promise<KeyPair> {
  const { kty, crv } = CURVES[algorithm];
  const members = { kty, crv, x: jwk.x!, ...(jwk.y !== undefined ? { y: jwk.y } : {}) };
  const kid = givenKid ?? (await calculateJwkThumbprint(members, 'sha256'));
  const publicJwk: PublicJwk = { ...members, kid, alg: algorithm, use: 'sig' };
  return { kid, algorithm, publicJwk, privateKey: JSON.stringify({ ...members, d: jwk.d }) };
}
