import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Knex } from 'knex';

/** Below this much free space on its disk, an SQLite database is reported as unable to write. */
export const SQLITE_MIN_FREE_BYTES = 1024 * 1024;

export const CANNOT_WRITE = 'database cannot write';

/**
 * Whether the database can serve: rejects when it does not answer; resolves with
 * CANNOT_WRITE when it answers but cannot take writes (an SQLite file whose disk is nearly
 * full, a PostgreSQL server in recovery, read-only); resolves with nothing when ready.
 */
export async function databaseReadiness(knex: Knex): Promise<typeof CANNOT_WRITE | undefined> {
  const config = (knex.client as { config: Knex.Config }).config;
  if (config.client === 'pg') {
    const { rows } = (await knex.raw('select pg_is_in_recovery() as recovery')) as { rows: Array<{ recovery: boolean }> };
    return rows[0]?.recovery ? CANNOT_WRITE : undefined;
  }
  await knex.raw('select 1');
  const filename = (config.connection as { filename?: string } | undefined)?.filename;
  if (!filename || filename === ':memory:') return undefined;
  const disk = await statfs(dirname(filename));
  return disk.bavail * disk.bsize < SQLITE_MIN_FREE_BYTES ? CANNOT_WRITE : undefined;
}
