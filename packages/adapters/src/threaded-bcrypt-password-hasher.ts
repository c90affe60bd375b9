import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { BcryptPasswordHasher } from './bcrypt-password-hasher';

export interface HashThreadOptions {
  /** Worker threads, each computing one hash at a time. */
  threads: number;
  /**
   * Niceness of the hashing threads (Linux: 0–19, higher yields more). Sessions are served
   * by the main thread at normal priority: while the CPU is short, cookie checks go first
   * and logins wait in the hasher's queue (past it, 503).
   */
  nice: number;
}

// CommonJS run by each worker: bcrypt's synchronous calls on the worker's own thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
if (workerData.nice > 0) {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, workerData.nice);
  } catch {}
}
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, op, password, hashed, rounds }) => {
  try {
    let result;
    if (op === 'hash') result = bcrypt.hashSync(password, rounds);
    else {
      try { result = bcrypt.compareSync(password, hashed); } catch { result = false; }
    }
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Job {
  id: number;
  op: 'hash' | 'verify';
  password: string;
  hashed?: string;
  rounds: number;
  resolve(result: string | boolean): void;
  reject(error: Error): void;
}

interface Reply {
  /** Sent once, when the thread has loaded bcrypt and waits for jobs. */
  ready?: true;
  id: number;
  result?: string | boolean;
  error?: string;
}

/**
 * bcrypt in dedicated worker threads instead of libuv's shared pool: hashing can neither
 * hold the pool threads the sqlite3 driver and the file system need, nor (at a lower
 * priority) take CPU from the event loop that answers cookie-authenticated requests.
 */
export class ThreadedBcryptPasswordHasher extends BcryptPasswordHasher {
  private readonly idle: Worker[] = [];
  private readonly waiting: Job[] = [];
  private readonly running = new Map<number, { job: Job; worker: Worker }>();
  private readonly workers: Worker[] = [];
  private nextId = 0;

  /** Per thread: settles once it has loaded bcrypt, or has ended. */
  private readonly started: Promise<void>[] = [];

  constructor(
    private readonly cost: number,
    private readonly options: HashThreadOptions,
  ) {
    super(cost);
  }

  // Threads start with the first hash: a command line that hashes nothing starts none.
  private startThreads(): void {
    if (this.workers.length > 0) return;
    const bcryptPath = createRequire(import.meta.url).resolve('bcrypt');
    for (let i = 0; i < Math.max(1, this.options.threads); i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath, nice: this.options.nice } });
      worker.unref();
      let started!: () => void;
      this.started.push(new Promise((resolve) => (started = resolve)));
      worker.on('message', (reply: Reply) => (reply.ready ? started() : this.finish(worker, reply)));
      worker.on('error', (error) => this.failAll(error));
      worker.once('exit', () => started());
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  override hash(password: string): Promise<string> {
    if (typeof password !== 'string') return Promise.reject(new TypeError('password must be a string'));
    return this.submit('hash', password, undefined) as Promise<string>;
  }

  override verify(password: string, hashedPassword: string): Promise<boolean> {
    if (typeof password !== 'string' || typeof hashedPassword !== 'string') return Promise.resolve(false);
    return this.submit('verify', password, hashedPassword) as Promise<boolean>;
  }

  /**
   * Stops the threads; pending hashes fail. A thread is ended only once it has loaded
   * bcrypt: ending it while the native module initialises can abort the whole process.
   */
  async close(): Promise<void> {
    this.failAll(new Error('password hasher closed'));
    await Promise.all(this.started);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private submit(op: Job['op'], password: string, hashed: string | undefined): Promise<string | boolean> {
    this.startThreads();
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, op, password, hashed, rounds: this.cost, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.waiting.shift()!;
      this.running.set(job.id, { job, worker });
      worker.ref();
      worker.postMessage({ id: job.id, op: job.op, password: job.password, hashed: job.hashed, rounds: job.rounds });
    }
  }

  private finish(worker: Worker, reply: Reply): void {
    const entry = this.running.get(reply.id);
    this.running.delete(reply.id);
    worker.unref();
    this.idle.push(worker);
    if (entry) {
      if (reply.error !== undefined) entry.job.reject(new Error(reply.error));
      else entry.job.resolve(reply.result!);
    }
    this.dispatch();
  }

  private failAll(error: Error): void {
    for (const { job } of this.running.values()) job.reject(error);
    for (const job of this.waiting.splice(0)) job.reject(error);
    this.running.clear();
  }
}
