import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnex } from '@latchkey/adapters';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A SQLite file in a fresh temporary directory. */
export function sqliteDatabase(driver?: string): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const query = driver ? `?driver=${driver}` : '';
  return {
    name: driver ? `sqlite (${driver})` : 'sqlite',
    url: `sqlite:${join(dir, 'bench.db')}${query}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh database on the PostgreSQL server, or undefined when none answers. */
export async function postgresDatabase(adminUrl: string): Promise<BenchDatabase | undefined> {
  const admin = createKnex(adminUrl, { poolMax: 1 });
  try {
    await Promise.race([admin.raw('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
  } catch {
    await admin.destroy().catch(() => {});
    return undefined;
  }
  const name = `latchkey_bench_${randomBytes(6).toString('hex')}`;
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name: 'postgres',
    url: url.toString(),
    drop: async () => {
      const again = createKnex(adminUrl, { poolMax: 1 });
      await again.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.destroy();
    },
  };
}
