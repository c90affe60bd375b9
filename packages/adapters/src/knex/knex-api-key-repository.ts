import type { Knex } from 'knex';
import type { ApiKey, ApiKeyRepository, NewApiKey } from '@latchkey/domain';

const TABLE = 'api_keys';

/** The admin API's keys in the api_keys table: digests only, looked up by their unique index. */
export class KnexApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly knex: Knex) {}

  async add(key: NewApiKey): Promise<ApiKey> {
    const [row] = (await this.knex(TABLE)
      .insert({ name: key.name, key_digest: key.digest, read_only: key.readOnly, created_at: key.createdAt })
      .returning('id')) as Array<{ id: unknown }>;
    return { ...key, id: Number(row!.id), lastUsedAt: null, revokedAt: null };
  }

  async findByDigest(digest: string): Promise<ApiKey | null> {
    const row = (await this.knex(TABLE).where({ key_digest: digest }).first()) as Record<string, unknown> | undefined;
    return row ? toApiKey(row) : null;
  }

  async list(): Promise<ApiKey[]> {
    return ((await this.knex(TABLE).orderBy('id')) as Record<string, unknown>[]).map(toApiKey);
  }

  async revoke(id: number, at: number): Promise<boolean> {
    return (await this.knex(TABLE).where({ id }).whereNull('revoked_at').update({ revoked_at: at })) === 1;
  }

  async touch(id: number, at: number, seenBefore: number): Promise<void> {
    await this.knex(TABLE)
      .where({ id })
      .where((query) => void query.whereNull('last_used_at').orWhere('last_used_at', '<', seenBefore))
      .update({ last_used_at: at });
  }
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toApiKey(row: Record<string, unknown>): ApiKey {
  return {
    id: Number(row.id),
    name: String(row.name),
    digest: String(row.key_digest),
    // SQLite stores booleans as 0 and 1.
    readOnly: row.read_only === true || row.read_only === 1,
    createdAt: Number(row.created_at),
    lastUsedAt: nullableNumber(row.last_used_at),
    revokedAt: nullableNumber(row.revoked_at),
  };
}
