import type { Knex } from 'knex';
import type { OutboxMessage, Passkey, PasskeyAdded, PasskeyChallenge, PasskeyChallengeStore, PasskeyRepository } from '@latchkey/domain';
import { insertOutboxMessages } from './knex-outbox-rows';
import { rowsOf } from './knex-session-repository';
import { isUniqueViolation, toNumber } from './knex-user-repository';

/**
 * PasskeyRepository on any Knex client. A use moves the counter by one conditional UPDATE;
 * adding and removing lock the user's row first (PostgreSQL: FOR UPDATE by an UPDATE;
 * SQLite: the database's write lock), so the per-user bound and the last-passkey rule hold
 * against concurrent requests.
 */
export class KnexPasskeyRepository implements PasskeyRepository {
  constructor(private readonly knex: Knex) {}

  async listForUser(userId: number): Promise<Passkey[]> {
    const rows = (await this.knex('passkeys').where('user_id', userId).orderBy([{ column: 'created_at' }, { column: 'id' }])) as Record<string, unknown>[];
    return rows.map(toPasskey);
  }

  async findByCredentialId(credentialId: string): Promise<Passkey | null> {
    const row = (await this.knex('passkeys').where('credential_id', credentialId).first()) as Record<string, unknown> | undefined;
    return row ? toPasskey(row) : null;
  }

  async findForUser(userId: number, idOrCredentialId: string): Promise<Passkey | null> {
    const found = await this.findAny(idOrCredentialId);
    return found?.userId === userId ? found : null;
  }

  async findAny(idOrCredentialId: string): Promise<Passkey | null> {
    const row = ((await this.knex('passkeys').where('id', idOrCredentialId).first()) ??
      (await this.knex('passkeys').where('credential_id', idOrCredentialId).first())) as Record<string, unknown> | undefined;
    return row ? toPasskey(row) : null;
  }

  async add(passkey: Passkey, max: number, mail?: readonly OutboxMessage[]): Promise<PasskeyAdded> {
    try {
      return await this.knex.transaction(async (trx) => {
        if (!(await lockUser(trx, passkey.userId))) return 'limit';
        if (await trx('passkeys').where('credential_id', passkey.credentialId).first('id')) return 'duplicate';
        if ((await countFor(trx, passkey.userId)) >= max) return 'limit';
        await trx('passkeys').insert(toRow(passkey));
        await insertOutboxMessages(trx, mail);
        return 'added';
      });
    } catch (error) {
      // Another user's registration of the same credential committed in between.
      if (isUniqueViolation(error, 'credential_id')) return 'duplicate';
      throw error;
    }
  }

  async rename(userId: number, id: string, name: string): Promise<boolean> {
    return (await this.knex('passkeys').where({ id, user_id: userId }).update({ name })) === 1;
  }

  remove(userId: number, id: string, keepLast: boolean, mail?: readonly OutboxMessage[]): Promise<Passkey | 'last' | null> {
    return this.knex.transaction(async (trx) => {
      if (!(await lockUser(trx, userId))) return null;
      const row = (await trx('passkeys').where({ id, user_id: userId }).first()) as Record<string, unknown> | undefined;
      if (!row) return null;
      if (keepLast && (await countFor(trx, userId)) <= 1) return 'last';
      await trx('passkeys').where({ id, user_id: userId }).del();
      await insertOutboxMessages(trx, mail);
      return toPasskey(row);
    });
  }

  /** `counter < new`, or both 0: for a new counter of 0 only a stored 0 qualifies. */
  async recordUse(id: string, counter: number, at: number, backedUp: boolean): Promise<boolean> {
    const used = await this.knex('passkeys')
      .where('id', id)
      .where('counter', counter === 0 ? '=' : '<', counter)
      .update({ counter, last_used_at: at, backed_up: backedUp });
    return used === 1;
  }

  async removeAll(userId: number): Promise<number> {
    return this.knex('passkeys').where('user_id', userId).del();
  }
}

/** Challenges of ceremonies in progress; one is taken by one DELETE … RETURNING. */
export class KnexPasskeyChallengeStore implements PasskeyChallengeStore {
  constructor(private readonly knex: Knex) {}

  async put(challenge: PasskeyChallenge): Promise<void> {
    const sql = `INSERT INTO passkey_challenges (ceremony_key, challenge, user_id, scoped, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (ceremony_key) DO UPDATE SET challenge = excluded.challenge, user_id = excluded.user_id, scoped = excluded.scoped,
      created_at = excluded.created_at, expires_at = excluded.expires_at`;
    await this.knex.raw(sql, [challenge.key, challenge.challenge, challenge.userId, challenge.scoped, challenge.createdAt, challenge.expiresAt]);
  }

  async take(key: string, now: number): Promise<PasskeyChallenge | null> {
    const sql = 'DELETE FROM passkey_challenges WHERE ceremony_key = ? AND expires_at > ? RETURNING ceremony_key, challenge, user_id, scoped, created_at, expires_at';
    const row = rowsOf(await this.knex.raw(sql, [key, now]))[0];
    return row ? toChallenge(row) : null;
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    const expired = this.knex('passkey_challenges').select('ceremony_key').where('expires_at', '<=', now).limit(limit);
    return this.knex('passkey_challenges').whereIn('ceremony_key', expired).del();
  }
}

/** Writes the user's row (to itself): the lock that orders concurrent changes of their passkeys. False when the user is gone. */
async function lockUser(trx: Knex.Transaction, userId: number): Promise<boolean> {
  return (await trx('users').where('id', userId).update({ id: trx.ref('id') })) === 1;
}

async function countFor(trx: Knex.Transaction, userId: number): Promise<number> {
  const row = (await trx('passkeys').where('user_id', userId).count({ count: '*' }).first()) as { count: unknown };
  return Number(row.count);
}

function toRow(passkey: Passkey): Record<string, unknown> {
  return {
    id: passkey.id,
    user_id: passkey.userId,
    credential_id: passkey.credentialId,
    public_key: Buffer.from(passkey.publicKey),
    counter: passkey.counter,
    transports: JSON.stringify(passkey.transports),
    name: passkey.name,
    device_type: passkey.deviceType,
    backed_up: passkey.backedUp,
    created_at: passkey.createdAt,
    last_used_at: passkey.lastUsedAt,
  };
}

function toPasskey(row: Record<string, unknown>): Passkey {
  const transports = JSON.parse(String(row.transports)) as unknown;
  return {
    id: String(row.id),
    userId: Number(row.user_id),
    credentialId: String(row.credential_id),
    publicKey: new Uint8Array(row.public_key as Buffer),
    counter: toNumber(row.counter) ?? 0,
    transports: Array.isArray(transports) ? transports.filter((t): t is string => typeof t === 'string') : [],
    name: String(row.name),
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: Boolean(row.backed_up),
    createdAt: toNumber(row.created_at) ?? 0,
    lastUsedAt: toNumber(row.last_used_at),
  };
}

function toChallenge(row: Record<string, unknown>): PasskeyChallenge {
  return {
    key: String(row.ceremony_key),
    challenge: String(row.challenge),
    userId: row.user_id === null || row.user_id === undefined ? null : Number(row.user_id),
    scoped: Boolean(row.scoped),
    createdAt: toNumber(row.created_at) ?? 0,
    expiresAt: toNumber(row.expires_at) ?? 0,
  };
}
