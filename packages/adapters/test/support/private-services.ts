/**
 * Private Redis, PostgreSQL and full disks for tests that make a dependency die, freeze or
 * fill up. Each runs on a free port (or a directory) of its own and is stopped by the
 * test: the shared servers on 5432 and 6379 are never touched.
 *
 * Where a tool is missing (redis-server, initdb, mounting a tmpfs as root), `privateServices`
 * says why: the test then skips with the reason printed, or fails under
 * LATCHKEY_REQUIRE_SERVICES=1 (CI).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../../tools/server-process';
import { skipNotice } from '../real-services';

const REQUIRED = process.env.LATCHKEY_REQUIRE_SERVICES === '1';

export interface PrivateService {
  url: string;
  /** SIGSTOP: the process keeps its sockets open and answers nothing. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Ends it at once (and thaws it first, so that it can end); safe to call twice. */
  stop(): Promise<void>;
}

export interface Availability {
  available: boolean;
  reason: string;
}

/** Whether this machine can run private instances of `kind`; throws under LATCHKEY_REQUIRE_SERVICES=1. */
export function privateServices(kind: 'redis' | 'postgres' | 'tmpfs'): Availability {
  const reason = missing(kind);
  if (reason && REQUIRED) throw new Error(`private ${kind}: ${reason}; LATCHKEY_REQUIRE_SERVICES=1 requires it`);
  if (reason) console.warn(skipNotice(`a private ${kind}`, reason));
  return { available: reason === '', reason };
}

function missing(kind: 'redis' | 'postgres' | 'tmpfs'): string {
  if (kind === 'redis') return onPath('redis-server') ? '' : 'redis-server is not installed';
  if (process.getuid?.() !== 0) return `${kind === 'tmpfs' ? 'mounting a tmpfs' : 'running initdb as postgres'} needs root`;
  if (kind === 'postgres') {
    if (!postgresBin()) return 'initdb is not installed (Debian package postgresql)';
    return spawnSync('id', ['-u', 'postgres']).status === 0 ? '' : 'there is no postgres OS user';
  }
  return onPath('mount') ? '' : 'mount is not available';
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => join(root, version, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

// A daemon that exited stays a zombie until init reaps it, which can take seconds here.
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(20);
  signal(pid, 'SIGKILL');
}

/** A Redis of its own on a free port, without persistence. */
export async function startPrivateRedis(): Promise<PrivateService> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-redis-'));
  const port = await freePort();
  const pidfile = join(dir, 'redis.pid');
  execFileSync('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--daemonize', 'yes', '--pidfile', pidfile, '--dir', dir, '--logfile', join(dir, 'redis.log'),
  ]);
  const pid = await readPid(pidfile);
  await waitUntil(() => spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().includes('PONG') ?? false, 'Redis');
  return processService(`redis://127.0.0.1:${port}`, pid, 'SIGTERM', async () => rmSync(dir, { recursive: true, force: true }));
}

/**
 * A PostgreSQL cluster of its own (initdb, then pg_ctl as the postgres OS user, which
 * initdb requires), on a free port of 127.0.0.1 and a socket in its directory; user
 * postgres without password, database postgres. About 2–3 s to start.
 */
export async function startPrivatePostgres(): Promise<PrivateService> {
  const bin = postgresBin()!;
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'));
  const data = join(dir, 'data');
  const postgresIds = execFileSync('id', ['-u', 'postgres']).toString().trim();
  const groupId = execFileSync('id', ['-g', 'postgres']).toString().trim();
  chownSync(dir, Number(postgresIds), Number(groupId));
  const asPostgres = (tool: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { stdio: 'pipe' });
  const cleanUp = async () => rmSync(dir, { recursive: true, force: true });
  try {
    asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // SIGQUIT: PostgreSQL's immediate shutdown.
    const service = processService(`postgres://postgres@127.0.0.1:${port}/postgres`, pid, 'SIGQUIT', cleanUp);
    // The postmaster's children (one per connection) must freeze with it.
    return { ...service, freeze: () => signalGroup(pid, 'SIGSTOP'), thaw: () => signalGroup(pid, 'SIGCONT') };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

function signalGroup(postmaster: number, name: NodeJS.Signals): void {
  for (const pid of [postmaster, ...childrenOf(postmaster)]) signal(pid, name);
}

/** The processes whose parent is `parent` (from /proc: procps may not be installed). */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function processService(url: string, pid: number, stopSignal: NodeJS.Signals, cleanUp: () => Promise<void>): PrivateService {
  let stopped = false;
  return {
    url,
    freeze: () => signal(pid, 'SIGSTOP'),
    thaw: () => signal(pid, 'SIGCONT'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const children = childrenOf(pid);
      for (const child of children) signal(child, 'SIGCONT');
      signal(pid, 'SIGCONT');
      signal(pid, stopSignal);
      await waitForExit(pid);
      for (const child of children) signal(child, 'SIGKILL');
      await cleanUp();
    },
  };
}

async function readPid(pidfile: string): Promise<number> {
  await waitUntil(() => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() !== '', 'the pid file');
  return Number(readFileSync(pidfile, 'utf8').trim());
}

async function waitUntil(ready: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${timeoutMs} ms`);
    await sleep(25);
  }
}

export interface SmallDisk {
  dir: string;
  /** Fills what is left of the disk with one file. */
  fill(): void;
  /** Removes that file. */
  free(): void;
  unmount(): Promise<void>;
}

/** A tmpfs of `sizeKb` mounted on a new directory (root only). */
export function mountSmallDisk(sizeKb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  let mounted = true;
  return {
    dir,
    fill: () => {
      try {
        writeFileSync(filler, Buffer.alloc(sizeKb * 1024));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    },
    free: () => rmSync(filler, { force: true }),
    unmount: async () => {
      if (!mounted) return;
      mounted = false;
      // An SQLite file still open keeps the mount busy: a lazy unmount detaches it anyway.
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
