import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
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
import { mainThreadsCpuMicros, processTree } from './thread-cpu';
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
  /** Where the PostgreSQL run also seeds SQLite, for /profile on both in alternation. */
  companion?: BenchDatabases;
  log: (line: string) => void;
}

export const SCENARIOS = ['root', 'profile', 'tokens', 'login', 'flood', 'big', 'workers'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchResult {
  scenarios: ScenarioRow[];
  ratios: RatioRow[];
}

type Run = (server: BenchServer, extra?: Partial<LoadOptions>) => Promise<LoadResult>;

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
    log(`${label(name)}: ${value.rps.toFixed(1)} req/s${value.cpuMicrosPerRequest === undefined ? '' : `, ${value.cpuMicrosPerRequest.toFixed(1)} µs CPU/req`}`);
    return value;
  };
  const pairs = new Map<string, Array<[LoadResult, LoadResult]>>();
  const pair = (name: string, a: LoadResult | undefined, b: LoadResult | undefined) => {
    if (a && b) pairs.set(name, [...(pairs.get(name) ?? []), [a, b]]);
  };
  const ratio = (name: string, goal: number | undefined) => {
    const found = pairs.get(name);
    if (found?.length) ratios.push({ ratio: name, goal, value: median(found.map(([a, b]) => a.rps / b.rps)), byCpu: cpuRatio(found) });
  };

  const hashed = await bcrypt.hash(SEED_PASSWORD, options.rounds);
  const cookies = sessionCookies(options.smallUsers, 1000);
  const bigCookies = sessionCookies(options.bigUsers, 1000);
  const logins = Array.from({ length: LOGIN_USERS }, (_, i) => new URLSearchParams({ email: loginEmail(i), password: SEED_PASSWORD }).toString());
  const run = (path: string, base: Partial<LoadOptions> = {}): Run => (server, extra = {}) =>
    load({ url: server.url, path, connections: options.connections, durationSeconds: options.durationSeconds, pids: server.pids, ...base, ...extra });
  // Runs that share the server's thread with another run: their CPU is measured over the pair.
  const shared = { pids: undefined };
  const root = run('/');
  const profile = run('/profile', { cookies });
  const profileBig = run('/profile', { cookies: bigCookies });
  const whoami = run('/sessions/whoami', { cookies });
  const tokens = run('/sessions/token', { method: 'POST', cookies });
  const smallName = `GET /profile (${count(options.smallUsers)} users)`;
  const whoamiName = `GET /sessions/whoami (${count(options.smallUsers)} users)`;
  const bigName = `GET /profile (${count(options.bigUsers)} users)`;

  const servers: BenchServer[] = [];
  const start = async (url: string, extraEnv: Record<string, string> = {}, warmCookies = cookies) => {
    const server = await startServer({ ...serverEnv(url, options), ...extraEnv }, options);
    servers.push(server);
    await warmUp(server, warmCookies, options.warmUpSeconds);
    return server;
  };
  const seedSmall = async (url: string) => {
    await withKnex(url, async (knex) => {
      await migrateToLatest(knex);
      await seedSessionUsers(knex, 0, options.smallUsers, hashed);
      await seedLoginUsers(knex, hashed);
    });
  };
  try {
    const smallUrl = await databases.create('small');
    log(`${label('seeding')} ${options.smallUsers} users`);
    await seedSmall(smallUrl);
    const env = serverEnv(smallUrl, options);
    const config = loadConfig(env);
    const concurrency = config.HASH_CONCURRENCY;
    const small = await start(smallUrl);
    const limits = chosen.has('root') || chosen.has('profile');
    const koa = limits ? await startBaseline({ BASELINE: 'koa' }, options, servers) : undefined;
    const node = limits ? await startBaseline({ BASELINE: 'node' }, options, servers) : undefined;
    // The ideal cookie check on PostgreSQL, on the same seeded database and pool size as Latchkey's.
    const postgres = databases.name === 'postgres';
    const ideal =
      limits && postgres
        ? await startBaseline({ BASELINE: 'pg', DATABASE_URL: smallUrl, DATABASE_POOL_MAX: String(config.DATABASE_POOL_MAX) }, options, servers, cookies)
        : undefined;
    // The same /profile on SQLite, alternated with PostgreSQL's in the same rounds.
    let companion: BenchServer | undefined;
    if (postgres && options.companion && chosen.has('profile')) {
      const companionUrl = await options.companion.create('small');
      await seedSmall(companionUrl);
      companion = await start(companionUrl);
    }
    const companionName = `GET /profile (${count(options.smallUsers)} users) on ${options.companion?.name ?? ''}`;

    const floodConnections = concurrency + config.HASH_QUEUE_MAX + 8;
    for (let r = 0; r < options.repeat; r++) {
      const nodeRun = node ? await measure(BASELINE_NAMES.node, root(node)) : undefined;
      const koaRun = koa ? await measure(BASELINE_NAMES.koa, root(koa)) : undefined;
      const idealRun = ideal ? await measure(BASELINE_NAMES.pg, profile(ideal)) : undefined;
      const rootRun = chosen.has('root') ? await measure('GET /', root(small)) : undefined;
      const alone = limits || chosen.has('flood') ? await measure(smallName, profile(small)) : undefined;
      // Forward auth: the same one lookup as /profile, answered with identity headers too.
      const whoamiRun = chosen.has('profile') ? await measure(whoamiName, whoami(small)) : undefined;
      const companionRun = companion ? await measure(companionName, profile(companion)) : undefined;
      pair('root/koa', rootRun, koaRun);
      pair('profile/koa', alone, koaRun);
      pair('profile/node', alone, nodeRun);
      pair('profile/ideal', alone, idealRun);
      pair(`profile ${databases.name}/${options.companion?.name ?? ''}`, alone, companionRun);
      pair('whoami/profile', whoamiRun, alone);
      // What the ideal itself makes of SQLite's figure: the most profile postgres/sqlite can reach here.
      pair(`ideal ${databases.name}/${options.companion?.name ?? ''}`, idealRun, companionRun);
      if (chosen.has('flood') && alone) {
        // More logins than hashing slots plus queue: hashing stays saturated, the surplus is refused.
        const cpuBefore = mainThreadsCpuMicros(small.pids);
        const [during, flood] = await Promise.all([
          load({ url: small.url, path: '/profile', cookies, connections: options.connections, durationSeconds: options.durationSeconds }),
          run('/sessions', { method: 'POST', forms: logins })(small, { connections: floodConnections, ...shared }),
        ]);
        // The two runs share the server's thread: each is given its CPU over both runs' responses.
        const cpuAfter = mainThreadsCpuMicros(small.pids);
        const both = during.total + flood.total;
        const cpu = cpuBefore !== undefined && cpuAfter !== undefined && both > 0 ? (cpuAfter - cpuBefore) / both : undefined;
        await measure('GET /profile during login flood', Promise.resolve({ ...during, cpuMicrosPerRequest: cpu }));
        await measure(`POST /sessions flood (${floodConnections} connections)`, Promise.resolve({ ...flood, cpuMicrosPerRequest: cpu }));
        pair('profile-during-login-flood/profile', during, alone);
        await drainLogins(small, logins[0]!);
      }
    }
    ratio('root/koa', 0.85);
    ratio('profile/koa', postgres ? undefined : 0.7);
    ratio('profile/node', undefined);
    ratio('profile/ideal', 0.8);
    ratio(`profile ${databases.name}/${options.companion?.name ?? ''}`, 0.6);
    ratio(`ideal ${databases.name}/${options.companion?.name ?? ''}`, undefined);
    ratio('whoami/profile', 0.9);
    // Tokens issued a second: the session's lookup, then an EdDSA signature.
    if (chosen.has('tokens')) await measure(`POST /sessions/token (${count(options.smallUsers)} users)`, tokens(small));

    if (chosen.has('login')) {
      // Logins keep every hashing slot busy, the queue short enough never to refuse one.
      const connections = Math.min(concurrency * 2 + 2, concurrency + config.HASH_QUEUE_MAX);
      const login = await measure(`POST /sessions (${connections} connections)`, run('/sessions', { method: 'POST', forms: logins })(small, { connections }));
      const raw = await bcryptBaseline(options.rounds, concurrency, options.durationSeconds);
      log(`${label('raw bcrypt.compare')}: ${raw.perSecond.toFixed(1)} /s`);
      rows.push({
        scenario: label(`bcrypt.compare, cost ${options.rounds}, ${concurrency} at once (raw; CPU of the whole process)`),
        rps: raw.perSecond,
        p50: 0,
        p99: 0,
        errors: 0,
        other: '',
        cpuMicros: raw.cpuMicrosPerCompare,
      });
      ratios.push({ ratio: 'login/bcrypt', value: login.rps / raw.perSecond, goal: 0.9 });
    }
    ratio('profile-during-login-flood/profile', 0.5);

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
      for (let r = 0; r < options.repeat; r++) {
        const a = await measure(smallName, profile(small));
        const b = await measure(bigName, profileBig(big));
        pair('big', b, a);
      }
      const bigRatio = `profile@${count(options.bigUsers)}/profile@${count(options.smallUsers)}`;
      if (chosen.has('big')) ratios.push(...renamed(pairs, 'big', bigRatio, 0.9));

      if (chosen.has('workers')) {
        if (!workersAvailable()) {
          ratios.push({ ratio: 'workers2/workers1', goal: 1, why: 'WORKERS not available' });
        } else {
          await stopServer(small, options);
          const two = await start(bigUrl, { WORKERS: '2' }, bigCookies);
          const twoName = `${bigName}, WORKERS=2`;
          for (let r = 0; r < options.repeat; r++) {
            const one = await measure(bigName, profileBig(big));
            pair('workers2/workers1', await measure(twoName, profileBig(two)), one);
          }
          ratio('workers2/workers1', undefined);
          // The load generator on one core, each server's whole process tree on the other.
          if (pinningAvailable()) {
            const others = allCores();
            try {
              pin([process.pid], '0');
              pin([...big.pids, ...two.pids], '1');
              for (let r = 0; r < options.repeat; r++) {
                const one = await measure(`${bigName}, pinned`, profileBig(big));
                pair('workers2/workers1 pinned', await measure(`${twoName}, pinned`, profileBig(two)), one);
              }
            } finally {
              pin([process.pid], others);
            }
            ratio('workers2/workers1 pinned', 1);
          } else ratios.push({ ratio: 'workers2/workers1 pinned', goal: 1, why: 'taskset or a second core missing' });
        }
      }
    }
  } finally {
    for (const server of servers) await stopServer(server, options);
  }
  for (const [name, results] of series) rows.push(toRow(label(name), results));
  return { scenarios: sortRows(rows), ratios };
}

function renamed(pairs: Map<string, Array<[LoadResult, LoadResult]>>, key: string, name: string, goal: number): RatioRow[] {
  const found = pairs.get(key);
  return found?.length ? [{ ratio: name, goal, value: median(found.map(([a, b]) => a.rps / b.rps)), byCpu: cpuRatio(found) }] : [];
}

/**
 * The same comparison by the work each side's server did: its CPU per request against the
 * other's (a second side that spends less per request gives less than 1). Independent of
 * the load generator, which shares the cores and bounds both sides' throughput.
 */
function cpuRatio(found: Array<[LoadResult, LoadResult]>): number | undefined {
  const both = found.flatMap(([a, b]) => (a.cpuMicrosPerRequest && b.cpuMicrosPerRequest ? [b.cpuMicrosPerRequest / a.cpuMicrosPerRequest] : []));
  return both.length ? median(both) : undefined;
}

/** A server the bench started, with the processes whose CPU is counted (a cluster's workers included). */
interface BenchServer extends ServerProcess {
  pids: number[];
}

function pinningAvailable(): boolean {
  return cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;
}

function allCores(): string {
  return `0-${cpus().length - 1}`;
}

/** Sets the CPU affinity of every thread of these processes (taskset from util-linux). */
function pin(pids: readonly number[], cores: string): void {
  for (const pid of pids) {
    const result = spawnSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`taskset failed for ${pid}: ${result.stderr}`);
  }
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

async function startServer(env: Record<string, string>, options: BenchOptions): Promise<BenchServer> {
  return withPids(await startQuietServerProcess(env, 60_000, options.serverNodeArgs));
}

// A cluster's primary forks its workers before it answers: they are there to be found.
function withPids(server: ServerProcess): BenchServer {
  return Object.assign(server, { pids: processTree(server.child.pid!) });
}

async function stopServer(server: ServerProcess, options: BenchOptions): Promise<void> {
  if (server.child.exitCode !== null) return;
  const code = await server.stop();
  if (code !== 0) options.log(`server exited with ${code}:\n${server.output()}`);
}

async function warmUp(server: BenchServer, cookies: readonly string[], seconds: number): Promise<void> {
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

function bcryptBaseline(rounds: number, concurrency: number, seconds: number): Promise<{ perSecond: number; cpuMicrosPerCompare: number }> {
  return new Promise((resolve, reject) => {
    const script = join(ROOT, 'tools/bench/bcrypt-baseline.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, String(rounds), String(concurrency), String(seconds)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(output) as { perSecond: number; cpuMicrosPerCompare: number });
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
  pg: 'ideal: bare Koa + one prepared pg SELECT (GET /profile)',
};

/** A baseline server, stopped with the others; warmed up as Latchkey's servers are. */
async function startBaseline(
  env: { BASELINE: Baseline } & Record<string, string>,
  options: BenchOptions,
  servers: BenchServer[],
  cookies?: readonly string[],
): Promise<BenchServer> {
  const server = withPids(await startQuietServerProcess(env, 30_000, options.serverNodeArgs, 'tools/bench/baseline-server.ts'));
  servers.push(server);
  if (options.warmUpSeconds > 0) await load({ url: server.url, path: cookies ? '/profile' : '/', cookies, connections: 10, durationSeconds: options.warmUpSeconds });
  return server;
}

// The table reads in the order of the scenarios: limits, root, profile, whoami, tokens, login, flood, big, workers.
const ORDER = ['limit: node', 'limit: bare Koa', 'ideal: ', 'GET / ', 'GET /profile (', 'GET /sessions/whoami (', 'POST /sessions/token (', 'POST /sessions (', 'bcrypt.compare', 'GET /profile during', 'POST /sessions flood'];
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
