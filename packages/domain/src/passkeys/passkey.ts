import { v7 as uuidV7 } from 'uuid';
import type { User } from '../users/user';

/**
 * A WebAuthn credential of a user: the public key their authenticator made, stored with
 * the signature counter it last reported. The public id (UUID v7) names it in lists and
 * removals; the credential id is the authenticator's own (base64url).
 */
export interface Passkey {
  id: string;
  userId: number;
  /** The credential id, base64url, at most CREDENTIAL_ID_MAX characters. */
  credentialId: string;
  /** The COSE public key. */
  publicKey: Uint8Array;
  /** The signature counter last accepted; 0 for authenticators that keep none. */
  counter: number;
  /** How the browser may reach the authenticator (`internal`, `hybrid`, `usb`, …). */
  transports: string[];
  name: string;
  /** `multiDevice` when the credential is synced (backup eligible). */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
  lastUsedAt: number | null;
}

export interface PasskeySettings {
  /** Whether an assertion must carry user verification (`required`) or may (`preferred`). */
  userVerification: 'preferred' | 'required';
  /** Passkeys one user may hold. */
  perUserMax: number;
  /** How long a ceremony's challenge can be used. */
  challengeTtlMs: number;
  /** A session opened this recently by a login counts as a step-up for registering or removing a passkey. */
  stepUpMs: number;
}

export const DEFAULT_PASSKEY_SETTINGS: PasskeySettings = {
  userVerification: 'preferred',
  perUserMax: 10,
  challengeTtlMs: 300_000,
  stepUpMs: 600_000,
};

/** A passkey's name, in characters. */
export const PASSKEY_NAME_MAX = 64;
/** Credential ids longer than this are refused before any lookup (WebAuthn allows 1023 bytes). */
export const CREDENTIAL_ID_MAX = 1400;
/** Transports kept per passkey, and the length of each. */
export const TRANSPORTS_MAX = 8;
export const TRANSPORT_MAX = 32;

export function newPasskeyId(): string {
  return uuidV7();
}

const PASSKEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isPasskeyId(value: string): boolean {
  return PASSKEY_ID.test(value);
}

/**
 * Whether the account can sign in with its password. Accounts are made with one; an
 * account whose hash was set to an unusable value (empty, or starting with `!`) is
 * passkey-only, and cannot remove its last passkey.
 */
export function hasUsablePassword(user: Pick<User, 'hashedPassword'>): boolean {
  return user.hashedPassword.length > 0 && !user.hashedPassword.startsWith('!');
}

/** A passkey as its owner (API) and operators (CLI) see it: never its key. */
export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  transports: string[];
  deviceType: Passkey['deviceType'];
  backedUp: boolean;
}

export function summarizePasskey(passkey: Passkey): PasskeySummary {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: new Date(passkey.createdAt).toISOString(),
    lastUsedAt: passkey.lastUsedAt === null ? null : new Date(passkey.lastUsedAt).toISOString(),
    transports: [...passkey.transports],
    deviceType: passkey.deviceType,
    backedUp: passkey.backedUp,
  };
}

/** The name given, its control characters and runs of spaces made one space, trimmed and cut to PASSKEY_NAME_MAX; a default when empty. */
export function passkeyName(given: string | undefined, fallback: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = (given ?? '').replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return [...(cleaned || fallback)].slice(0, PASSKEY_NAME_MAX).join('');
}

/** What a ceremony is for; each purpose has its own key space in the challenge store. */
export type CeremonyPurpose = 'registration' | 'sign_in' | 'second_factor';

/**
 * One challenge waiting for its ceremony's answer, single use. `key` is what binds it to
 * its client: the session (registration), the digest of the ceremony cookie (sign-in) or
 * of the pending login (second factor).
 */
export interface PasskeyChallenge {
  key: string;
  /** base64url of 32 random bytes. */
  challenge: string;
  /** The user the answer must come from; null for a sign-in open to any account. */
  userId: number | null;
  /** A sign-in for an email that names no account: no answer can succeed. */
  scoped: boolean;
  createdAt: number;
  expiresAt: number;
}

export function challengeKey(purpose: CeremonyPurpose, binding: string): string {
  return `${purpose}:${binding}`;
}
