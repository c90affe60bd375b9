import type { SigningAlgorithm, StoredSigningKey } from './signing-key';

/**
 * Where a key is in its life:
 * - `next`: published, not yet signing (verifiers' caches pick it up meanwhile);
 * - `signing`: published, signs every new token;
 * - `verifying`: published, no longer signs; tokens it signed may still be live;
 * - `retired`: no longer published; every token it signed has expired.
 */
export type KeyState = 'next' | 'signing' | 'verifying' | 'retired';

export interface KeyTimeline {
  generation: number;
  kid: string;
  algorithm: SigningAlgorithm;
  state: KeyState;
  /** Epoch milliseconds; null for a key given by configuration (it has no timeline). */
  publishedAt: number | null;
  signsFrom: number | null;
  /** When the next key starts signing; null while none is made. */
  signsUntil: number | null;
  /** When it leaves the key set: its last token's expiry and the clock skew allowed; null while it signs on. */
  retiresAt: number | null;
}

/**
 * A verifier's clock may run this far behind ours: a key stays published this much
 * longer than its last token's `exp`.
 */
export const CLOCK_SKEW_MS = 60_000;

/**
 * The life of each stored key at `now`, from the keys alone (oldest generation first):
 * a key signs until the next generation starts signing, and stays published until every
 * token it signed has expired. Nothing of it is stored: a change of JWT_TTL_SECONDS
 * moves the retirement of keys that no longer sign (a longer TTL keeps them longer).
 */
export function keyTimelines(keys: readonly StoredSigningKey[], now: number, tokenTtlMs: number): KeyTimeline[] {
  const ordered = [...keys].sort((a, b) => a.generation - b.generation);
  return ordered.map((key, index) => {
    const signsUntil = ordered[index + 1]?.signsFrom ?? null;
    const retiresAt = signsUntil === null ? null : signsUntil + tokenTtlMs + CLOCK_SKEW_MS;
    return {
      generation: key.generation,
      kid: key.kid,
      algorithm: key.algorithm,
      state: stateAt(now, key.signsFrom, signsUntil, retiresAt),
      publishedAt: key.createdAt,
      signsFrom: key.signsFrom,
      signsUntil,
      retiresAt,
    };
  });
}

function stateAt(now: number, signsFrom: number, signsUntil: number | null, retiresAt: number | null): KeyState {
  if (now < signsFrom) return 'next';
  if (signsUntil === null || now < signsUntil) return 'signing';
  return retiresAt !== null && now < retiresAt ? 'verifying' : 'retired';
}

/** Published: every state but retired. */
export function isPublished(timeline: KeyTimeline): boolean {
  return timeline.state !== 'retired';
}
