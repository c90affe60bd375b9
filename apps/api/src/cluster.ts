import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { createKnex, migrateToLatest } from '@latchkey/adapters';
import type { Config } from '@latchkey/runtime';
import type { Logger } from './logger';

/**
 * A replacement worker that fails to start (Redis or the database briefly away) is tried
 * again after this delay, doubled at each consecutive failure up to the maximum, while
 * the other workers keep serving. A worker that listens resets it.
 */
export const RESTART_BACKOFF = { firstMs: 1000, maxMs: 30_000 };

/**
 * WORKERS=N (N > 1): this process becomes the primary of N worker processes, each running
 * the whole API on the same port (node:cluster shares the listening socket). Returns true
 * in that primary, which only supervises; false where the API itself must run.
 */
export async function startClusterPrimary(config: Config, logger: Logger): Promise<boolean> {
  if (config.WORKERS <= 1 || !cluster.isPrimary) return false;
  // Workers accept from the shared socket themselves. In the default round-robin mode the
  // primary accepts and hands each connection over; one handed to a worker that dies at
  // that moment stays open in the primary, unanswered, for as long as the client waits.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Migrate once here, not in N workers at once: on SQLite they would race to create the schema.
  if (config.MIGRATE_ON_START) await migrateOnce(config);
  new Supervisor(config.WORKERS, config.SHUTDOWN_TIMEOUT_SECONDS * 1000, logger.child({ role: 'primary' })).start();
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
  /** Once a worker has listened the server has served: later failures are retried, not fatal. */
  private served = false;
  private failures = 0;
  private readonly listening = new WeakSet<Worker>();
  /** The one line each worker that could not start sent before exiting. */
  private readonly startFailures = new WeakMap<Worker, string>();
  private readonly pendingForks = new Set<NodeJS.Timeout>();

  constructor(
    private readonly workers: number,
    private readonly shutdownTimeoutMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.logger.info({ workers: this.workers }, `starting ${this.workers} workers`);
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    for (let i = 0; i < this.workers; i++) this.fork();
    process.once('SIGTERM', () => this.stop('SIGTERM'));
    process.once('SIGINT', () => this.stop('SIGINT'));
  }

  private fork(): void {
    const worker = cluster.fork({ MIGRATE_ON_START: 'false' });
    this.logger.info({ worker: worker.process.pid }, `worker ${worker.process.pid} started`);
    worker.on('message', (message: { startFailure?: unknown }) => {
      if (typeof message?.startFailure === 'string') this.startFailures.set(worker, message.startFailure);
    });
    worker.once('listening', () => {
      this.listening.add(worker);
      this.served = true;
      this.failures = 0;
    });
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    if (this.stopping) {
      if (liveWorkers().length === 0) process.exit(this.exitCode);
      return;
    }
    const pid = worker.process.pid;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const fields = { worker: pid, code, signal, failure: this.startFailures.get(worker) };
    if (this.listening.has(worker)) {
      this.logger.error(fields, `worker ${pid} exited with ${how}; starting another`);
      this.fork();
      return;
    }
    // Before anything served, a worker that cannot start means the settings or the
    // dependencies are wrong: the whole server stops and says why rather than loop.
    if (!this.served) {
      this.logger.error(fields, `worker ${pid} exited with ${how} before listening; stopping`);
      if (fields.failure) console.error(fields.failure);
      this.stop('SIGTERM', code ?? 1);
      return;
    }
    const delayMs = Math.min(RESTART_BACKOFF.firstMs * 2 ** this.failures, RESTART_BACKOFF.maxMs);
    this.failures++;
    this.logger.error({ ...fields, retryInMs: delayMs }, `worker ${pid} exited with ${how} before listening; trying again in ${delayMs} ms`);
    const timer = setTimeout(() => {
      this.pendingForks.delete(timer);
      this.fork();
    }, delayMs);
    this.pendingForks.add(timer);
  }

  private stop(signal: NodeJS.Signals, exitCode = 0): void {
    if (this.stopping) return;
    this.stopping = true;
    this.exitCode = exitCode;
    for (const timer of this.pendingForks) clearTimeout(timer);
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
