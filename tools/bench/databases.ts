import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnex } from '@latchkey/adapters';

/** Where the bench makes its throw-away databases. */
export interface BenchDatabases {
  name: string;
  /** A new empty database; its DATABASE_URL. */
  create(label: string): Promise<string>;
  /** Removes every database made. */
  dropAll(): Promise<void>;
}

/** SQLite files in a fresh temporary directory. */
export function sqliteDatabases(driver?: string): BenchDatabases {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const query = driver ? `?driver=${driver}` : '';
  return {
    name: driver ? `sqlite, ${driver}` : 'sqlite',
    create: async (label) => `sqlite:${join(dir, `${label}.db`)}${query}`,
    dropAll: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Fresh databases on the PostgreSQL server, or undefined when none answers. */
export async function postgresDatabases(adminUrl: string): Promise<BenchDatabases | undefined> {
  const admin = createKnex(adminUrl, { poolMax: 1 });
  try {
    await Promise.race([admin.raw('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
  } catch {
    await admin.destroy().catch(() => {});
    return undefined;
  }
  const prefix = `latchkey_bench_${randomBytes(4).toString('hex')}`;
  const made: string[] = [];
  return {
    name: 'postgres',
    create: async (label) => {
      const name = `${prefix}_${label}`;
      await admin.raw(`CREATE DATABASE ${name}`);
      made.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    dropAll: async () => {
      for (const name of made) await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
