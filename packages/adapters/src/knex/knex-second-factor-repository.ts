import type { Knex } from 'knex';
import type { OutboxMessage, SecondFactor, SecondFactorRepository } from '@latchkey/domain';
import { insertOutboxMessages } from './knex-outbox-rows';
import { rowsOf } from './knex-session-repository';
import { toNumber } from './knex-user-repository';

/** SecondFactorRepository on any Knex client; each code is spent by one conditional UPDATE. */
export class KnexSecondFactorRepository implements SecondFactorRepository {
  constructor(private readonly knex: Knex) {}

  async find(userId: number): Promise<SecondFactor | null> {
    const row = (await this.knex('second_factors').where('user_id', userId).first()) as Record<string, unknown> | undefined;
    return row ? toSecondFactor(row) : null;
  }

  /** One upsert that leaves an enabled factor as it is. */
  async startEnrolment(userId: number, sealedSecret: string, at: number): Promise<boolean> {
    const sql = `INSERT INTO second_factors (user_id, sealed_secret, created_at) VALUES (?, ?, ?)
      ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, created_at = excluded.created_at, last_step = NULL
      WHERE second_factors.enabled_at IS NULL RETURNING user_id`;
    return rowsOf(await this.knex.raw(sql, [userId, sealedSecret, at])).length === 1;
  }

  enable(userId: number, sealedSecret: string, step: number, recoveryDigests: readonly string[], at: number, mail?: readonly OutboxMessage[]): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      const enabled = await trx('second_factors')
        .where({ user_id: userId, sealed_secret: sealedSecret })
        .whereNull('enabled_at')
        .update({ enabled_at: at, last_step: step });
      if (enabled !== 1) return false;
      await this.storeCodes(trx, userId, recoveryDigests);
      await insertOutboxMessages(trx, mail);
      return true;
    });
  }

  async useStep(userId: number, step: number): Promise<boolean> {
    const used = await this.knex('second_factors')
      .where('user_id', userId)
      .whereNotNull('enabled_at')
      .where((query) => void query.whereNull('last_step').orWhere('last_step', '<', step))
      .update({ last_step: step });
    return used === 1;
  }

  async useRecoveryCode(userId: number, digest: string, at: number): Promise<boolean> {
    const used = await this.knex('recovery_codes').where({ user_id: userId, code_digest: digest }).whereNull('used_at').update({ used_at: at });
    return used === 1;
  }

  /** The factor's row is written first: on PostgreSQL a concurrent replacement or removal waits for it. */
  replaceRecoveryCodes(userId: number, digests: readonly string[]): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      const held = await trx('second_factors').where('user_id', userId).whereNotNull('enabled_at').update({ enabled_at: trx.ref('enabled_at') });
      if (held !== 1) return false;
      await this.storeCodes(trx, userId, digests);
      return true;
    });
  }

  async countRecoveryCodes(userId: number): Promise<number> {
    const row = (await this.knex('recovery_codes').where('user_id', userId).whereNull('used_at').count({ count: '*' }).first()) as { count: unknown };
    return Number(row.count);
  }

  remove(userId: number, mail?: readonly OutboxMessage[]): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      // RETURNING tells whether the factor removed was enabled: only then is there an event.
      const { sql, bindings } = trx('second_factors').where('user_id', userId).del().toSQL();
      const removed = rowsOf(await trx.raw(`${sql} RETURNING enabled_at`, bindings as readonly Knex.Value[]));
      await trx('recovery_codes').where('user_id', userId).del();
      if (removed[0]?.enabled_at != null) await insertOutboxMessages(trx, mail);
      return removed.length === 1;
    });
  }

  private async storeCodes(trx: Knex.Transaction, userId: number, digests: readonly string[]): Promise<void> {
    await trx('recovery_codes').where('user_id', userId).del();
    if (digests.length > 0) await trx('recovery_codes').insert(digests.map((digest) => ({ user_id: userId, code_digest: digest, used_at: null })));
  }
}

function toSecondFactor(row: Record<string, unknown>): SecondFactor {
  return {
    userId: Number(row.user_id),
    sealedSecret: String(row.sealed_secret),
    enabledAt: toNumber(row.enabled_at),
    lastStep: toNumber(row.last_step),
  };
}
