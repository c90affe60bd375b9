import type { Knex } from 'knex';
import type { PublicJwk, SigningAlgorithm, SigningKeyRepository, StoredSigningKey } from '@latchkey/domain';
import { rowsOf } from './knex-session-repository';

/** SigningKeyRepository on any Knex client: a generation is taken by one INSERT … ON CONFLICT DO NOTHING. */
export class KnexSigningKeyRepository implements SigningKeyRepository {
  constructor(private readonly knex: Knex) {}

  async list(): Promise<StoredSigningKey[]> {
    const rows = (await this.knex('signing_keys').orderBy('generation')) as Array<Record<string, unknown>>;
    return rows.map(toSigningKey);
  }

  async add(key: StoredSigningKey): Promise<boolean> {
    const sql = `INSERT INTO signing_keys (generation, kid, algorithm, public_jwk, sealed_private_key, created_at, signs_from)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING generation`;
    const values = [key.generation, key.kid, key.algorithm, JSON.stringify(key.publicJwk), key.sealedPrivateKey, key.createdAt, key.signsFrom];
    return rowsOf(await this.knex.raw(sql, values)).length === 1;
  }

  async remove(kids: readonly string[]): Promise<number> {
    if (kids.length === 0) return 0;
    return this.knex('signing_keys').whereIn('kid', kids).del();
  }
}

function toSigningKey(row: Record<string, unknown>): StoredSigningKey {
  return {
    generation: Number(row.generation),
    kid: String(row.kid),
    algorithm: String(row.algorithm) as SigningAlgorithm,
    publicJwk: JSON.parse(String(row.public_jwk)) as PublicJwk,
    sealedPrivateKey: String(row.sealed_private_key),
    createdAt: Number(row.created_at),
    signsFrom: Number(row.signs_from),
  };
}
