import { randomBytes } from 'node:crypto';

/** A program's key to the admin API, as stored: its SHA-256 digest, never the key. */
export interface ApiKey {
  id: number;
  /** What the operator called it (`support-tool`): shown in listings and audit events. */
  name: string;
  digest: string;
  /** Reads only: every change answers 403. */
  readOnly: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export type NewApiKey = Pick<ApiKey, 'name' | 'digest' | 'readOnly' | 'createdAt'>;

/** How an admin API call's audit events name the key behind it. */
export function apiKeyActor(key: Pick<ApiKey, 'id'>): string {
  return `api_key:${key.id}`;
}

/** A new key: `lk_` and 256 random bits, base64url (a prefix that secret scanners can match). */
export function newApiKey(): string {
  return `lk_${randomBytes(32).toString('base64url')}`;
}

/** The longest name a key may be given. */
export const API_KEY_NAME_MAX = 100;
