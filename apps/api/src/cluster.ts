import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { createKnex, migrateToLatest } from '@latchkey/adapters';
import type { Config } from '@latchkey/runtime';

/**
 * WORKERS=N (N > 1): this process becomes the primary of N worker processes, each running
 * the whole API on the same port (node:cluster shares the listening socket). Returns true
 * in that primary, which only supervises; false where the API itself must run.
 */
export async function startClusterPrimary(config: Config): Promise<boolean> {
  if (config.WORKERS <= 1 || !cluster.isPrimary) return false;
  // Migrate once here, not in N workers at once: on SQLite they would race to create the schema.
  if (config.MIGRATE_ON_START) await migrateOnce(config);
  new Supervisor(config.WORKERS, config.SHUTDOWN_TIMEOUT_SECONDS * 1000).start();
  return true;
}

async function migrateOnce(config: Config): Promise<void> {
  const knex = createKnex(config.DATABASE_URL, { poolMax: 1 });
  try {
    await migrateToLatest(knex);
  } finally {
    await knex.destroy();
  }
}

class Supervisor {
  private stopping = false;
  private exitCode = 0;
  private readonly listening = new WeakSet<Worker>();

  constructor(
    private readonly workers: number,
    private readonly shutdownTimeoutMs: number,
  ) {}

  start(): void {
    console.log(`Latchkey primary ${process.pid}: starting ${this.workers} workers`);
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    for (let i = 0; i < this.workers; i++) this.fork();
    process.once('SIGTERM', () => this.stop('SIGTERM'));
    process.once('SIGINT', () => this.stop('SIGINT'));
  }

  private fork(): void {
    const worker = cluster.fork({ MIGRATE_ON_START: 'false' });
    console.log(`Latchkey worker ${worker.process.pid} started`);
    worker.once('listening', () => this.listening.add(worker));
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    if (this.stopping) {
      if (liveWorkers().length === 0) process.exit(this.exitCode);
      return;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    // A worker that never listened failed to start (bad setting, database down): forking
    // again would only loop, so the whole server stops and says why.
    if (!this.listening.has(worker)) {
      console.error(`Latchkey worker ${worker.process.pid} exited with ${how} before listening; stopping`);
      this.stop('SIGTERM', 1);
      return;
    }
    console.error(`Latchkey worker ${worker.process.pid} exited with ${how}; starting another`);
    this.fork();
  }

  private stop(signal: NodeJS.Signals, exitCode = 0): void {
    if (this.stopping) return;
    this.stopping = true;
    this.exitCode = exitCode;
    const workers = liveWorkers();
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) worker.process.kill(signal);
    // Workers drain their requests within the same timeout; past it, they are ended.
    setTimeout(() => {
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, this.shutdownTimeoutMs + 1000).unref();
  }
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
}
