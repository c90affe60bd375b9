import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import type { Knex } from '@latchkey/adapters';
import { createKnex, migrateToLatest } from '@latchkey/adapters';
import { hashConcurrency, loadConfig } from '@latchkey/runtime';
import { ROOT, startServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import type { BenchDatabase } from './databases';
import { LOGIN_USERS, SEED_PASSWORD, loginEmail, seedLoginUsers, seedSessionUsers, sessionCookies } from './seed';
import type { LoadResult } from './load';
import { load } from './load';
import type { RatioRow, ScenarioRow } from './table';

export interface BenchOptions {
  durationSeconds: number;
  connections: number;
  rounds: number;
  smallUsers: number;
  bigUsers: number;
  scenarios: ReadonlySet<Scenario>;
  /** Unrecorded load after each server start, so that measured runs meet optimised code. */
  warmUpSeconds: number;
  /** Extra environment of every server the bench starts. */
  serverEnv: Record<string, string>;
  /** Extra node arguments of every server (e.g. --cpu-prof). */
  serverNodeArgs: string[];
  log: (line: string) => void;
}

export const SCENARIOS = ['root', 'profile', 'login', 'flood', 'big', 'workers'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchResult {
  scenarios: ScenarioRow[];
  ratios: RatioRow[];
}

/** Runs the chosen scenarios against one database and computes the ratios they allow. */
export async function benchDatabase(database: BenchDatabase, options: BenchOptions): Promise<BenchResult> {
  const { scenarios: chosen, log } = options;
  const rows: ScenarioRow[] = [];
  const ratios: RatioRow[] = [];
  const label = (name: string) => `[${database.name}] ${name}`;
  const record = (name: string, result: LoadResult) => {
    rows.push(toRow(label(name), result));
    log(`${label(name)}: ${result.rps.toFixed(1)} req/s`);
    return result;
  };
  const env = serverEnv(database, options);
  const config = loadConfig(env);
  const concurrency = hashConcurrency(config.HASH_CONCURRENCY, { ...process.env, ...env });
  const hashed = await bcrypt.hash(SEED_PASSWORD, options.rounds);

  log(`${label('seeding')} ${options.smallUsers} users`);
  await withKnex(database.url, async (knex) => {
    await migrateToLatest(knex);
    await seedSessionUsers(knex, 0, options.smallUsers, hashed);
    await seedLoginUsers(knex, hashed);
  });

  const cookies = sessionCookies(options.smallUsers, 1000);
  const logins = Array.from({ length: LOGIN_USERS }, (_, i) => new URLSearchParams({ email: loginEmail(i), password: SEED_PASSWORD }).toString());
  const run = (server: ServerProcess, path: string, extra: Partial<Parameters<typeof load>[0]> = {}) =>
    load({ url: server.url, path, connections: options.connections, durationSeconds: options.durationSeconds, ...extra });
  // Logins keep every hashing slot busy, the queue short enough never to refuse one.
  const loginConnections = Math.min(concurrency * 2 + 2, concurrency + config.HASH_QUEUE_MAX);

  let profileSmall: LoadResult | undefined;
  await withServer(env, options, async (server) => {
    await warmUp(server, cookies, options.warmUpSeconds);
    const root = chosen.has('root') ? record('GET /', await run(server, '/')) : undefined;
    if (chosen.has('profile') || chosen.has('flood') || chosen.has('big')) {
      profileSmall = record(`GET /profile (${count(options.smallUsers)} users)`, await run(server, '/profile', { cookies }));
    }
    if (root && profileSmall) ratios.push({ ratio: 'profile/root', value: profileSmall.rps / root.rps, goal: 0.6 });

    if (chosen.has('login')) {
      const login = record(`POST /sessions (${loginConnections} connections)`, await run(server, '/sessions', { method: 'POST', forms: logins, connections: loginConnections }));
      const raw = await bcryptBaseline(options.rounds, concurrency, options.durationSeconds);
      rows.push({ scenario: label(`bcrypt.compare, cost ${options.rounds}, ${concurrency} at once (raw)`), rps: raw, p50: 0, p99: 0, errors: 0, other: '' });
      ratios.push({ ratio: 'login/bcrypt', value: login.rps / raw, goal: 0.9 });
    }

    if (chosen.has('flood') && profileSmall) {
      // More logins than hashing slots plus queue: hashing stays saturated and the surplus is refused.
      const floodConnections = concurrency + config.HASH_QUEUE_MAX + 8;
      const [during, flood] = await Promise.all([
        run(server, '/profile', { cookies }),
        run(server, '/sessions', { method: 'POST', forms: logins, connections: floodConnections }),
      ]);
      record('GET /profile during login flood', during);
      record(`POST /sessions flood (${floodConnections} connections)`, flood);
      ratios.push({ ratio: 'profile-during-login-flood/profile', value: during.rps / profileSmall.rps, goal: 0.5 });
    }
  });

  const big = count(options.bigUsers);
  let profileBig: LoadResult | undefined;
  if (chosen.has('big') || chosen.has('workers')) {
    log(`${label('seeding')} up to ${options.bigUsers} users`);
    const started = performance.now();
    await withKnex(database.url, (knex) => seedSessionUsers(knex, options.smallUsers, options.bigUsers, hashed));
    log(`${label('seeded')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const bigCookies = sessionCookies(options.bigUsers, 1000);
    await withServer(env, options, async (server) => {
      await warmUp(server, bigCookies, options.warmUpSeconds);
      profileBig = record(`GET /profile (${big} users)`, await run(server, '/profile', { cookies: bigCookies }));
    });
    if (profileSmall && profileBig && chosen.has('big')) {
      ratios.push({ ratio: `profile@${big}/profile@${count(options.smallUsers)}`, value: profileBig.rps / profileSmall.rps, goal: 0.9 });
    }
    if (chosen.has('workers')) {
      if (!workersAvailable()) {
        ratios.push({ ratio: 'workers2/workers1', goal: 1.6, why: 'WORKERS not available' });
      } else {
        await withServer({ ...env, WORKERS: '2' }, options, async (server) => {
          await warmUp(server, bigCookies, options.warmUpSeconds);
          const two = record(`GET /profile (${big} users, WORKERS=2)`, await run(server, '/profile', { cookies: bigCookies }));
          ratios.push({ ratio: 'workers2/workers1', value: two.rps / profileBig!.rps, goal: 1.6 });
        });
      }
    }
  }
  return { scenarios: rows, ratios };
}

function serverEnv(database: BenchDatabase, options: BenchOptions): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    NODE_ENV: 'production',
    BCRYPT_ROUNDS: String(options.rounds),
    LOG_LEVEL: 'warn',
    ...options.serverEnv,
  };
}

async function withKnex<T>(url: string, work: (knex: Knex) => Promise<T>): Promise<T> {
  const knex = createKnex(url, { poolMax: 2 });
  try {
    return await work(knex);
  } finally {
    await knex.destroy();
  }
}

async function withServer(env: Record<string, string>, options: BenchOptions, work: (server: ServerProcess) => Promise<void>): Promise<void> {
  const server = await startServerProcess(env, 60_000, options.serverNodeArgs);
  try {
    await work(server);
  } finally {
    const code = await server.stop();
    if (code !== 0) options.log(`server exited with ${code}:\n${server.output()}`);
  }
}

async function warmUp(server: ServerProcess, cookies: readonly string[], seconds: number): Promise<void> {
  if (seconds <= 0) return;
  await load({ url: server.url, path: '/profile', cookies, connections: 10, durationSeconds: seconds });
  await load({ url: server.url, path: '/', connections: 10, durationSeconds: seconds });
}

function bcryptBaseline(rounds: number, concurrency: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/bench/bcrypt-baseline.ts'), String(rounds), String(concurrency), String(seconds)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      if (code === 0) resolve((JSON.parse(output) as { perSecond: number }).perSecond);
      else reject(new Error(`bcrypt baseline exited with ${code}`));
    });
  });
}

/** WORKERS is served when the API's entry point forks with node:cluster. */
export function workersAvailable(): boolean {
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
    });
  return sources(join(ROOT, 'apps/api/src')).some((file) => readFileSync(file, 'utf8').includes('node:cluster'));
}

function toRow(scenario: string, result: LoadResult): ScenarioRow {
  const other = Object.entries(result.statuses)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
  return { scenario, rps: result.rps, p50: result.p50, p99: result.p99, errors: result.errors, other };
}

function count(users: number): string {
  if (users >= 1_000_000 && users % 1_000_000 === 0) return `${users / 1_000_000}M`;
  if (users >= 1000 && users % 1000 === 0) return `${users / 1000}k`;
  return String(users);
}
