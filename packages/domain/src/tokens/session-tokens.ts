import type { Clock } from '../kernel/clock';
import type { SecretBox } from '../ports/secret-box';
import { SecretBoxUnavailableError } from '../second-factor/index';
import type { LoginStrength } from '../sessions/session';
import type { AuthenticatedSession } from '../sessions/session-repository';
import type { KeyTimeline } from './key-timeline';
import { isPublished, keyTimelines } from './key-timeline';
import type { KeyPair, PublicJwk, SigningAlgorithm, StoredSigningKey } from './signing-key';
import type { SigningKeyRepository } from './signing-key-repository';
import { KeyRotationRefusedError, SigningKeyUnavailableError } from './token-errors';
import type { AmrValue, SessionTokenClaims, TokenSigner } from './token-signer';

/**
 * What each strength of login tells in `amr` (RFC 8176): `pwd` a password, `otp` a one-time
 * code, `hwk` a proof of possession of a hardware-bound key (a passkey's signature).
 */
const AMR: Record<LoginStrength, AmrValue[]> = {
  password: ['pwd'],
  second_factor: ['pwd', 'otp'],
  passkey: ['hwk'],
  password_passkey: ['pwd', 'hwk'],
};

/** Keys published at once, at most: the key set stays small, and so does every verifier's cache. */
export const SIGNING_KEYS_MAX = 4;

/** How long an instance reuses the stored keys before reading them again, at most. */
export const KEY_RELOAD_MS = 30_000;

/** After a failed read of the stored keys, the ones read before serve this long before the next try. */
const RELOAD_RETRY_MS = 5_000;

export interface TokenSettings {
  /** Of the keys generated here. */
  algorithm: SigningAlgorithm;
  /** Lifetime of a token (capped by the end of its session). */
  ttlMs: number;
  /** How long a new key is published before it signs; the key set's max-age is half of it. */
  overlapMs: number;
  /** `iss` of every token; without it, the issuer the caller names (the service's public origin). */
  issuer?: string;
  /** `aud` of every token; without it, the issuer. */
  audience?: string;
}

export interface TokenDeps {
  signer: TokenSigner;
  settings: TokenSettings;
  /** Keys generated at the first start and shared by every instance through the database… */
  keys?: SigningKeyRepository;
  /** …their private halves sealed with it (ENCRYPTION_KEYS). */
  box?: SecretBox;
  /**
   * …or private JWKs given by configuration (JWT_SIGNING_KEYS): the first signs, all are
   * published, and rotating them is the configuration's business.
   */
  configuredKeys?: readonly string[];
  /** Told of failures that are survived (a read of the keys that failed, a key that does not open). */
  onError?: (error: unknown) => void;
}

/** The end of a session, as the session rules compute it. */
export interface SessionEnds {
  endsAt(session: AuthenticatedSession['session']): number;
}

export interface IssuedToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface KeyListing {
  /** Where the keys come from. */
  source: 'database' | 'JWT_SIGNING_KEYS';
  keys: KeyTimeline[];
}

export interface RotationOptions {
  /**
   * A key thought compromised: the new key signs at once and every other key is deleted,
   * so tokens they signed stop verifying as soon as verifiers fetch the key set again.
   */
  immediate?: boolean;
}

/**
 * Short-lived signed tokens for sessions, and the key set that verifies them. Stored keys
 * rotate on a timeline (see KeyTimeline): a new key is published at once and signs only
 * after `overlapMs`, so every verifier that follows the key set's Cache-Control has it
 * before the first token it signs; the old key stays published until its last token has
 * expired. Keys are read from storage at most every KEY_RELOAD_MS, so issuing a token
 * costs no query.
 */
export class SessionTokens {
  private stored: { keys: StoredSigningKey[]; readAt: number } | undefined;
  private reading: Promise<StoredSigningKey[]> | undefined;
  private configured: Promise<KeyPair[]> | undefined;
  /** The opened private keys, by kid; only keys still stored are kept. */
  private readonly opened = new Map<string, KeyPair>();

  constructor(
    private readonly deps: TokenDeps,
    private readonly sessions: SessionEnds,
    private readonly clock: Clock,
  ) {
    if (!deps.configuredKeys?.length && !(deps.keys && deps.box)) throw new TypeError('Signed tokens need configured keys, or a key repository and a secret box');
  }

  get settings(): TokenSettings {
    return this.deps.settings;
  }

  /** The key set's Cache-Control max-age: half the overlap, so that a copy held by a shared cache and then by a verifier is still refreshed in time. */
  get keySetMaxAgeSeconds(): number {
    return Math.floor(this.deps.settings.overlapMs / 2000);
  }

  /** A token for the live session found by the session step; `defaultIssuer` when no issuer is set. */
  async issue(found: AuthenticatedSession, defaultIssuer: string): Promise<IssuedToken> {
    const key = await this.signingKey();
    const iat = Math.floor(this.clock.now() / 1000);
    // A token never outlives the end its session has now.
    const exp = Math.min(iat + Math.floor(this.deps.settings.ttlMs / 1000), Math.floor(this.sessions.endsAt(found.session) / 1000));
    const iss = this.deps.settings.issuer ?? defaultIssuer;
    const claims: SessionTokenClaims = {
      iss,
      aud: this.deps.settings.audience ?? iss,
      sub: String(found.user.id),
      email: found.user.email,
      sid: found.session.id,
      amr: AMR[found.session.strength],
      iat,
      exp,
    };
    return { token: await this.deps.signer.sign(claims, key), expiresAt: exp * 1000 };
  }

  /** The published public keys (RFC 7517 key set). */
  async keySet(): Promise<{ keys: PublicJwk[] }> {
    if (this.deps.configuredKeys?.length) return { keys: (await this.configuredPairs()).map((pair) => pair.publicJwk) };
    const keys = await this.storedKeys();
    const published = new Set(this.timelines(keys).filter(isPublished).map((timeline) => timeline.kid));
    return { keys: keys.filter((key) => published.has(key.kid)).map((key) => key.publicJwk) };
  }

  /** Every key with its timeline, read from storage now. */
  async list(): Promise<KeyListing> {
    if (this.deps.configuredKeys?.length) {
      const pairs = await this.configuredPairs();
      return { source: 'JWT_SIGNING_KEYS', keys: pairs.map((pair, index) => configuredTimeline(pair, index)) };
    }
    // Read only: listing never makes the first key.
    return { source: 'database', keys: this.timelines(await this.repository().list()) };
  }

  /**
   * Makes the next key: published now, signing after the overlap (or at once, `immediate`).
   * Retired keys are deleted first. Refused while a key waits to sign, when SIGNING_KEYS_MAX
   * keys are published, for configured keys, and when another rotation stored its key first.
   */
  async rotate(options: RotationOptions = {}): Promise<KeyListing> {
    const repository = this.repository();
    const now = this.clock.now();
    const keys = await this.readKeys();
    const timelines = this.timelines(keys);
    const retired = timelines.filter((timeline) => !isPublished(timeline));
    if (!options.immediate) refuseRotation(timelines);
    const previous = options.immediate ? keys.map((key) => key.kid) : retired.map((timeline) => timeline.kid);
    const generation = Math.max(0, ...keys.map((key) => key.generation)) + 1;
    const key = await this.newKey(generation, now, options.immediate ? now : now + this.deps.settings.overlapMs);
    if (!(await repository.add(key))) throw new KeyRotationRefusedError('another rotation stored its key first: run `keys list` to see it');
    // An emergency rotation retires the others only once the new key is stored: the key set is never empty.
    if (previous.length > 0) await repository.remove(previous);
    this.stored = undefined;
    return this.list();
  }

  /** Reads the keys once (making the first one on a new database): a server calls it as it starts. */
  async prepare(): Promise<void> {
    await this.keySet();
  }

  private timelines(keys: readonly StoredSigningKey[]): KeyTimeline[] {
    return keyTimelines(keys, this.clock.now(), this.deps.settings.ttlMs);
  }

  private async signingKey(): Promise<KeyPair> {
    if (this.deps.configuredKeys?.length) return (await this.configuredPairs())[0]!;
    const keys = await this.storedKeys();
    const signing = this.timelines(keys).find((timeline) => timeline.state === 'signing');
    const key = signing && keys.find((candidate) => candidate.kid === signing.kid);
    if (!key) throw new SigningKeyUnavailableError('Signed tokens are unavailable: no signing key is stored');
    return this.open(key);
  }

  private open(key: StoredSigningKey): KeyPair {
    const known = this.opened.get(key.kid);
    if (known) return known;
    let privateKey: string;
    try {
      privateKey = this.deps.box!.open(key.sealedPrivateKey, sealContext(key.kid));
    } catch (error) {
      if (error instanceof SecretBoxUnavailableError) throw error;
      const unavailable = new SigningKeyUnavailableError(
        `Signed tokens are unavailable: signing key ${key.kid} does not open with ENCRYPTION_KEYS (keep the key that sealed it, or run \`latchkey keys rotate --now\`)`,
        error,
      );
      this.deps.onError?.(unavailable);
      throw unavailable;
    }
    const pair: KeyPair = { kid: key.kid, algorithm: key.algorithm, publicJwk: key.publicJwk, privateKey };
    this.opened.set(key.kid, pair);
    return pair;
  }

  /** The stored keys, read again when KEY_RELOAD_MS have passed; after a failed read, the last ones read. */
  private async storedKeys(): Promise<StoredSigningKey[]> {
    const now = this.clock.now();
    if (this.stored && now - this.stored.readAt < KEY_RELOAD_MS) return this.stored.keys;
    try {
      return await this.readKeys();
    } catch (error) {
      if (!this.stored || error instanceof SecretBoxUnavailableError) throw error;
      this.deps.onError?.(error);
      this.stored.readAt = now - KEY_RELOAD_MS + RELOAD_RETRY_MS;
      return this.stored.keys;
    }
  }

  /** One read at a time, shared by the requests that wait for it; the first key is made when none is stored. */
  private readKeys(): Promise<StoredSigningKey[]> {
    this.reading ??= (async () => {
      try {
        const repository = this.repository();
        let keys = await repository.list();
        if (keys.length === 0) {
          // Instances starting together race for generation 1: one stores its key, every other reads it.
          const now = this.clock.now();
          await repository.add(await this.newKey(1, now, now));
          keys = await repository.list();
        }
        const kept = new Set(keys.map((key) => key.kid));
        for (const kid of this.opened.keys()) if (!kept.has(kid)) this.opened.delete(kid);
        this.stored = { keys, readAt: this.clock.now() };
        return keys;
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async newKey(generation: number, createdAt: number, signsFrom: number): Promise<StoredSigningKey> {
    const pair = await this.deps.signer.generate(this.deps.settings.algorithm);
    const sealedPrivateKey = this.deps.box!.seal(pair.privateKey, sealContext(pair.kid));
    return { generation, kid: pair.kid, algorithm: pair.algorithm, publicJwk: pair.publicJwk, sealedPrivateKey, createdAt, signsFrom };
  }

  private repository(): SigningKeyRepository {
    if (this.deps.configuredKeys?.length || !this.deps.keys) {
      throw new KeyRotationRefusedError('the signing keys come from JWT_SIGNING_KEYS: rotate them there (add the new key last, make it first after the overlap, remove the old one after JWT_TTL_SECONDS)');
    }
    return this.deps.keys;
  }

  private configuredPairs(): Promise<KeyPair[]> {
    this.configured ??= Promise.all(this.deps.configuredKeys!.map((jwk) => this.deps.signer.read(jwk)));
    return this.configured;
  }
}

/** The rules of a rotation on the stored timeline; throws KeyRotationRefusedError. */
function refuseRotation(timelines: readonly KeyTimeline[]): void {
  const waiting = timelines.find((timeline) => timeline.state === 'next');
  if (waiting) {
    throw new KeyRotationRefusedError(`key ${waiting.kid} is already next: it signs from ${iso(waiting.signsFrom)}; rotate again after that`);
  }
  const published = timelines.filter(isPublished);
  if (published.length >= SIGNING_KEYS_MAX) {
    const retiring = Math.min(...published.map((timeline) => timeline.retiresAt ?? Number.POSITIVE_INFINITY));
    throw new KeyRotationRefusedError(`${published.length} keys are published, the most allowed; the oldest retires at ${iso(retiring)}`);
  }
}

/** A configured key: the first signs, the others are published beside it. */
function configuredTimeline(pair: KeyPair, index: number): KeyTimeline {
  return {
    generation: index + 1,
    kid: pair.kid,
    algorithm: pair.algorithm,
    state: index === 0 ? 'signing' : 'verifying',
    publishedAt: null,
    signsFrom: null,
    signsUntil: null,
    retiresAt: null,
  };
}

/** A sealed private key opens only as the key of its own kid. */
function sealContext(kid: string): string {
  return `signing-key:${kid}`;
}

function iso(time: number | null): string {
  return time !== null && Number.isFinite(time) ? new Date(time).toISOString() : 'never';
}
