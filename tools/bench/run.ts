import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import type { Knex } from '@latchkey/adapters';
import { createKnex, migrateToLatest } from '@latchkey/adapters';
import { loadConfig } from '@latchkey/runtime';
import { ROOT, startQuietServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import type { Baseline } from './baseline-server';
import type { BenchDatabases } from './databases';
import { LOGIN_USERS, SEED_PASSWORD, loginEmail, seedLoginUsers, seedSessionUsers, sessionCookies } from './seed';
import type { LoadOptions, LoadResult } from './load';
import { load } from './load';
import type { RatioRow, ScenarioRow } from './table';

export interface BenchOptions {
  durationSeconds: number;
  connections: number;
  rounds: number;
  smallUsers: number;
  bigUsers: number;
  /** Rounds of each compared pair; figures are medians (the machine's other load drifts). */
  repeat: number;
  scenarios: ReadonlySet<Scenario>;
  /** Unrecorded load after each server start, so that measured runs meet optimised code. */
  warmUpSeconds: number;
  /** Extra environment of every server the bench starts. */
  serverEnv: Record<string, string>;
  /** Extra node arguments of every server (e.g. --cpu-prof). */
  serverNodeArgs: string[];
  log: (line: string) => void;
}

export const SCENARIOS = ['root', 'profile', 'tokens', 'login', 'flood', 'big', 'workers'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchResult {
  scenarios: ScenarioRow[];
  ratios: RatioRow[];
}

type Run = (server: ServerProcess, extra?: Partial<LoadOptions>) => Promise<LoadResult>;

/**
 * Runs the chosen scenarios on databases of one kind and computes the ratios they allow.
 * Each ratio compares runs taken in alternation, `repeat` times, on servers that stay up:
 * load from elsewhere on the machine then weighs on both sides alike.
 */
export async function benchDatabases(databases: BenchDatabases, options: BenchOptions): Promise<BenchResult> {
  const { scenarios: chosen, log } = options;
  const rows: ScenarioRow[] = [];
  const ratios: RatioRow[] = [];
  const label = (name: string) => `[${databases.name}] ${name}`;
  const series = new Map<string, LoadResult[]>();
  const measure = async (name: string, result: Promise<LoadResult>) => {
    const value = await result;
    series.set(name, [...(series.get(name) ?? []), value]);
    log(`${label(name)}: ${value.rps.toFixed(1)} req/s`);
    return value;
  };
  const ratio = (name: string, goal: number | undefined, pairs: Array<[LoadResult, LoadResult]>) =>
    ratios.push({ ratio: name, goal, value: median(pairs.map(([a, b]) => a.rps / b.rps)) });

  const hashed = await bcrypt.hash(SEED_PASSWORD, options.rounds);
  const cookies = sessionCookies(options.smallUsers, 1000);
  const bigCookies = sessionCookies(options.bigUsers, 1000);
  const logins = Array.from({ length: LOGIN_USERS }, (_, i) => new URLSearchParams({ email: loginEmail(i), password: SEED_PASSWORD }).toString());
  const run = (path: string, base: Partial<LoadOptions> = {}): Run => (server, extra = {}) =>
    load({ url: server.url, path, connections: options.connections, durationSeconds: options.durationSeconds, pid: server.child.pid, ...base, ...extra });
  // Runs that share the server's thread with another run, or a primary that forks workers: no CPU per request.
  const shared = { pid: undefined };
  const root = run('/');
  const profile = run('/profile', { cookies });
  const profileBig = run('/profile', { cookies: bigCookies });
  const whoami = run('/sessions/whoami', { cookies });
  const tokens = run('/sessions/token', { method: 'POST', cookies });
  const smallName = `GET /profile (${count(options.smallUsers)} users)`;
  const whoamiName = `GET /sessions/whoami (${count(options.smallUsers)} users)`;
  const bigName = `GET /profile (${count(options.bigUsers)} users)`;

  const servers: ServerProcess[] = [];
  const start = async (url: string, extraEnv: Record<string, string> = {}, warmCookies = cookies) => {
    const server = await startServer({ ...serverEnv(url, options), ...extraEnv }, options);
    servers.push(server);
    await warmUp(server, warmCookies, options.warmUpSeconds);
    return server;
  };
  try {
    const smallUrl = await databases.create('small');
    log(`${label('seeding')} ${options.smallUsers} users`);
    await withKnex(smallUrl, async (knex) => {
      await migrateToLatest(knex);
      await seedSessionUsers(knex, 0, options.smallUsers, hashed);
      await seedLoginUsers(knex, hashed);
    });
    const env = serverEnv(smallUrl, options);
    const config = loadConfig(env);
    const concurrency = config.HASH_CONCURRENCY;
    const small = await start(smallUrl);
    const limits = chosen.has('root') || chosen.has('profile');
    const koa = limits ? await startBaseline('koa', options, servers) : undefined;
    const node = limits ? await startBaseline('node', options, servers) : undefined;

    const rootPairs: Array<[LoadResult, LoadResult]> = [];
    const limitPairs = {
      rootKoa: [] as Array<[LoadResult, LoadResult]>,
      profileKoa: [] as Array<[LoadResult, LoadResult]>,
      profileNode: [] as Array<[LoadResult, LoadResult]>,
      whoamiKoa: [] as Array<[LoadResult, LoadResult]>,
    };
    const floodPairs: Array<[LoadResult, LoadResult]> = [];
    const floodConnections = concurrency + config.HASH_QUEUE_MAX + 8;
    for (let r = 0; r < options.repeat; r++) {
      const nodeRun = node ? await measure(BASELINE_NAMES.node, root(node)) : undefined;
      const koaRun = koa ? await measure(BASELINE_NAMES.koa, root(koa)) : undefined;
      const rootRun = chosen.has('root') ? await measure('GET /', root(small)) : undefined;
      const alone = chosen.has('profile') || chosen.has('flood') || chosen.has('root') ? await measure(smallName, profile(small)) : undefined;
      if (rootRun && alone) rootPairs.push([alone, rootRun]);
      if (koaRun && rootRun) limitPairs.rootKoa.push([rootRun, koaRun]);
      if (koaRun && alone) limitPairs.profileKoa.push([alone, koaRun]);
      if (nodeRun && alone) limitPairs.profileNode.push([alone, nodeRun]);
      // Forward auth: the same one lookup as /profile, answered with identity headers too.
      const whoamiRun = chosen.has('profile') ? await measure(whoamiName, whoami(small)) : undefined;
      if (koaRun && whoamiRun) limitPairs.whoamiKoa.push([whoamiRun, koaRun]);
      if (chosen.has('flood') && alone) {
        // More logins than hashing slots plus queue: hashing stays saturated, the surplus is refused.
        const [during] = await Promise.all([
          measure('GET /profile during login flood', profile(small, shared)),
          measure(
            `POST /sessions flood (${floodConnections} connections)`,
            run('/sessions', { method: 'POST', forms: logins })(small, { connections: floodConnections, ...shared }),
          ),
        ]);
        floodPairs.push([during, alone]);
        await drainLogins(small, logins[0]!);
      }
    }
    if (rootPairs.length) ratio('profile/root', 0.6, rootPairs);
    if (limitPairs.rootKoa.length) ratio('root/koa', 0.8, limitPairs.rootKoa);
    if (limitPairs.profileKoa.length) ratio('profile/koa', 0.5, limitPairs.profileKoa);
    if (limitPairs.profileNode.length) ratio('profile/node', undefined, limitPairs.profileNode);
    if (limitPairs.whoamiKoa.length) ratio('whoami/koa', 0.5, limitPairs.whoamiKoa);
    // Tokens issued a second: the session's lookup, then an EdDSA signature.
    if (chosen.has('tokens')) await measure(`POST /sessions/token (${count(options.smallUsers)} users)`, tokens(small));

    if (chosen.has('login')) {
      // Logins keep every hashing slot busy, the queue short enough never to refuse one.
      const connections = Math.min(concurrency * 2 + 2, concurrency + config.HASH_QUEUE_MAX);
      const login = await measure(`POST /sessions (${connections} connections)`, run('/sessions', { method: 'POST', forms: logins })(small, { connections }));
      const raw = await bcryptBaseline(options.rounds, concurrency, options.durationSeconds);
      log(`${label('raw bcrypt.compare')}: ${raw.toFixed(1)} /s`);
      rows.push({ scenario: label(`bcrypt.compare, cost ${options.rounds}, ${concurrency} at once (raw)`), rps: raw, p50: 0, p99: 0, errors: 0, other: '' });
      ratios.push({ ratio: 'login/bcrypt', value: login.rps / raw, goal: 0.9 });
    }
    if (floodPairs.length) ratio('profile-during-login-flood/profile', 0.5, floodPairs);

    if (chosen.has('big') || chosen.has('workers')) {
      const bigUrl = await databases.create('big');
      log(`${label('seeding')} ${options.bigUsers} users`);
      const began = performance.now();
      await withKnex(bigUrl, async (knex) => {
        await migrateToLatest(knex);
        await seedSessionUsers(knex, 0, options.bigUsers, hashed);
      });
      log(`${label('seeded')} in ${((performance.now() - began) / 1000).toFixed(1)} s`);
      const big = await start(bigUrl, {}, bigCookies);
      const bigPairs: Array<[LoadResult, LoadResult]> = [];
      for (let r = 0; r < options.repeat; r++) {
        const a = await measure(smallName, profile(small));
        const b = await measure(bigName, profileBig(big));
        bigPairs.push([b, a]);
      }
      if (chosen.has('big')) ratio(`profile@${count(options.bigUsers)}/profile@${count(options.smallUsers)}`, 0.9, bigPairs);

      if (chosen.has('workers')) {
        if (!workersAvailable()) {
          ratios.push({ ratio: 'workers2/workers1', goal: 1.6, why: 'WORKERS not available' });
        } else {
          await stopServer(small, options);
          const two = await start(bigUrl, { WORKERS: '2' }, bigCookies);
          const workerPairs: Array<[LoadResult, LoadResult]> = [];
          const twoName = `${bigName}, WORKERS=2`;
          for (let r = 0; r < options.repeat; r++) {
            const one = await measure(bigName, profileBig(big));
            workerPairs.push([await measure(twoName, profileBig(two, shared)), one]);
          }
          ratio('workers2/workers1', 1.6, workerPairs);
        }
      }
    }
  } finally {
    for (const server of servers) await stopServer(server, options);
  }
  for (const [name, results] of series) rows.push(toRow(label(name), results));
  return { scenarios: sortRows(rows), ratios };
}

function serverEnv(url: string, options: BenchOptions): Record<string, string> {
  // A fixed key of the bench's own seals the signing key that token issuance makes at the first start.
  return { DATABASE_URL: url, NODE_ENV: 'production', BCRYPT_ROUNDS: String(options.rounds), ENCRYPTION_KEYS: BENCH_ENCRYPTION_KEY, ...options.serverEnv };
}

const BENCH_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

async function withKnex<T>(url: string, work: (knex: Knex) => Promise<T>): Promise<T> {
  const knex = createKnex(url, { poolMax: 2 });
  try {
    return await work(knex);
  } finally {
    await knex.destroy();
  }
}

function startServer(env: Record<string, string>, options: BenchOptions): Promise<ServerProcess> {
  return startQuietServerProcess(env, 60_000, options.serverNodeArgs);
}

async function stopServer(server: ServerProcess, options: BenchOptions): Promise<void> {
  if (server.child.exitCode !== null) return;
  const code = await server.stop();
  if (code !== 0) options.log(`server exited with ${code}:\n${server.output()}`);
}

async function warmUp(server: ServerProcess, cookies: readonly string[], seconds: number): Promise<void> {
  if (seconds <= 0) return;
  await load({ url: server.url, path: '/profile', cookies, connections: 10, durationSeconds: seconds });
  await load({ url: server.url, path: '/', connections: 10, durationSeconds: seconds });
}

/** Waits until the logins a flood left queued are done: one more login gets through. */
async function drainLogins(server: ServerProcess, body: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const response = await fetch(`${server.url}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    if (response.status !== 503) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function bcryptBaseline(rounds: number, concurrency: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const script = join(ROOT, 'tools/bench/bcrypt-baseline.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, String(rounds), String(concurrency), String(seconds)], {
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function medianRun(results: LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export const BASELINE_NAMES: Record<Baseline, string> = {
  node: 'limit: node:http, the same JSON',
  koa: 'limit: bare Koa, the same JSON',
};

/** A baseline server, stopped with the others; warmed up as Latchkey's servers are. */
async function startBaseline(kind: Baseline, options: BenchOptions, servers: ServerProcess[]): Promise<ServerProcess> {
  const server = await startQuietServerProcess({ BASELINE: kind }, 30_000, options.serverNodeArgs, 'tools/bench/baseline-server.ts');
  servers.push(server);
  if (options.warmUpSeconds > 0) await load({ url: server.url, path: '/', connections: 10, durationSeconds: options.warmUpSeconds });
  return server;
}

// The table reads in the order of the scenarios: limits, root, profile, whoami, tokens, login, flood, big, workers.
const ORDER = ['limit: node', 'limit: bare Koa', 'GET / ', 'GET /profile (', 'GET /sessions/whoami (', 'POST /sessions/token (', 'POST /sessions (', 'bcrypt.compare', 'GET /profile during', 'POST /sessions flood'];
function sortRows(rows: ScenarioRow[]): ScenarioRow[] {
  const rank = (row: ScenarioRow) => {
    const at = ORDER.findIndex((prefix) => row.scenario.includes(`] ${prefix}`) || row.scenario.endsWith(`] ${prefix.trim()}`));
    return at === -1 ? ORDER.length : at;
  };
  return rows.map((row, i) => ({ row, i })).sort((a, b) => rank(a.row) - rank(b.row) || a.i - b.i).map(({ row }) => row);
}

function toRow(scenario: string, results: LoadResult[]): ScenarioRow {
  const result = medianRun(results);
  const cpu = results.flatMap((r) => (r.cpuMicrosPerRequest === undefined ? [] : [r.cpuMicrosPerRequest]));
  const other = Object.entries(result.statuses)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
  return { scenario, rps: result.rps, p50: result.p50, p99: result.p99, errors: result.errors, other, cpuMicros: cpu.length ? median(cpu) : undefined };
}

function count(users: number): string {
  if (users >= 1_000_000 && users % 1_000_000 === 0) return `${users / 1_000_000}M`;
  if (users >= 1000 && users % 1000 === 0) return `${users / 1000}k`;
  return String(users);
}
