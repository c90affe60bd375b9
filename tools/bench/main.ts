import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { postgresDatabases, sqliteDatabases } from './databases';
import type { BenchDatabases } from './databases';
import { SCENARIOS, benchDatabases } from './run';
import type { BenchOptions, Scenario } from './run';
import { formatTable } from './table';
import type { RatioRow, ScenarioRow } from './table';

const USAGE = `npm run bench -- [options]
  --duration <s>        seconds of each measured run (default 10)
  --connections <n>     autocannon connections for GET runs (default 50)
  --scenarios <list>    comma-separated: ${SCENARIOS.join(',')} (default all)
  --databases <list>    sqlite, postgres (default both; postgres only when reachable)
  --sqlite-driver <d>   better-sqlite3 (default) or sqlite3
  --postgres-url <url>  admin URL that may CREATE DATABASE (default postgres://postgres@127.0.0.1:5432/test)
  --users <n>           size of the big table (default 1000000)
  --rounds <n>          bcrypt cost of the seeded and checked passwords (default 10)
  --repeat <n>          alternated rounds behind each ratio, medians reported (default 3)
  --cpu-prof <dir>      write a V8 CPU profile of every server process into <dir>
  --quick               smoke run: 1 s runs, 1 round, no warm-up, 10k-user big table, SQLite only
With root or profile, raw node:http and bare Koa answer the same JSON as GET / and are
measured in alternation with them (root/koa, profile/koa, profile/node); on PostgreSQL the
ideal (bare Koa + one prepared pg SELECT) and /profile on SQLite are too (profile/ideal,
profile postgres/sqlite); whoami/profile compares forward auth with /profile; workers
compares WORKERS=2 with one worker, also with the load generator pinned to core 0 and the
servers to core 1 (taskset); tokens measures POST /sessions/token, tokens issued a second.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      connections: { type: 'string', default: '50' },
      scenarios: { type: 'string', default: SCENARIOS.join(',') },
      databases: { type: 'string' },
      'sqlite-driver': { type: 'string' },
      'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      users: { type: 'string' },
      rounds: { type: 'string', default: '10' },
      repeat: { type: 'string' },
      'cpu-prof': { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const quick = values.quick;
  const scenarios = new Set(values.scenarios.split(',').map((s) => s.trim()));
  for (const s of scenarios) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario ${s}\n${USAGE}`);
  const options: BenchOptions = {
    durationSeconds: Number(values.duration ?? (quick ? 1 : 10)),
    connections: Number(values.connections),
    rounds: Number(values.rounds),
    smallUsers: 1000,
    repeat: Number(values.repeat ?? (quick ? 1 : 3)),
    bigUsers: Number(values.users ?? (quick ? 10_000 : 1_000_000)),
    scenarios: scenarios as Set<Scenario>,
    warmUpSeconds: quick ? 0 : 2,
    // A short queue in smoke runs: what a flood leaves queued drains in moments.
    serverEnv: quick ? { HASH_QUEUE_MAX: '4' } : {},
    serverNodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [],
    log: (line) => console.error(line),
  };
  const wanted = (values.databases ?? (quick ? 'sqlite' : 'sqlite,postgres')).split(',');

  const databases: BenchDatabases[] = [];
  if (wanted.includes('sqlite')) databases.push(sqliteDatabases(values['sqlite-driver']));
  if (wanted.includes('postgres')) {
    const postgres = await postgresDatabases(values['postgres-url']);
    if (postgres) databases.push(postgres);
    else console.error(`PostgreSQL not reachable at ${values['postgres-url']}: skipped`);
  }
  // PostgreSQL's /profile is measured in alternation with SQLite's, on a server of its own.
  const companion = sqliteDatabases(values['sqlite-driver']);
  options.companion = companion;

  const loadBefore = loadavg().map((n) => n.toFixed(1)).join(' ');
  const rows: ScenarioRow[] = [];
  const ratios: RatioRow[] = [];
  try {
    for (const database of databases) {
      try {
        const result = await benchDatabases(database, options);
        rows.push(...result.scenarios);
        ratios.push(...result.ratios.map((r) => ({ ...r, ratio: `${r.ratio} [${database.name}]` })));
      } finally {
        await database.dropAll();
      }
    }
  } finally {
    await companion.dropAll();
  }
  console.log(
    `Latchkey bench: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ` +
      `${options.durationSeconds} s runs, medians of ${options.repeat}, ${options.connections} connections, bcrypt cost ${options.rounds}, ` +
      `load average before ${loadBefore}, after ${loadavg().map((n) => n.toFixed(1)).join(' ')}\n`,
  );
  console.log(formatTable(rows, ratios));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
