import type { Knex } from 'knex';
import { migrationConfig } from './migrations/index';

export interface MigrationStatus {
  /** Names of the migrations the database has, in the order they ran. */
  applied: string[];
  /** Names of the migrations this version has and the database lacks, in order. */
  pending: string[];
}

export async function migrationStatus(knex: Knex): Promise<MigrationStatus> {
  const [completed, pending] = (await knex.migrate.list(migrationConfig)) as [Array<string | { name: string }>, string[]];
  return { applied: completed.map((entry) => (typeof entry === 'string' ? entry : entry.name)), pending };
}
