import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { ThrottleCount, ThrottleStore, ThrottleTake } from '@latchkey/domain';

/**
 * One round trip, atomic: add one, start the window on the first hit, read what is left.
 * A key found without an expiry (set by hand, say) gets one, so no counter lives forever.
 */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * Take, atomic: compare with the limit and add one in the same step, so racing callers
 * cannot all pass the comparison before any adds. Same window rules as HIT.
 */
const TAKE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local taken = 0
if count < tonumber(ARGV[2]) then
  count = redis.call('INCR', KEYS[1])
  taken = 1
end
local ttl = redis.call('PTTL', KEYS[1])
if count > 0 and ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if count == 0 then ttl = 0 end
return {taken, count, ttl}
`;

/**
 * Give back one; the window keeps its end, and a window given back to nothing is deleted
 * (as in memory: an attempt another counter refused leaves no key behind).
 */
const GIVE_BACK = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 1 then redis.call('DECR', KEYS[1]) elseif count == 1 then redis.call('DEL', KEYS[1]) end
return 0
`;

export interface RedisThrottleStoreOptions {
  /** Put before every key, so several services or test runs can share one Redis. */
  keyPrefix?: string;
  /** Told once when the connection fails, and again only after it came back. */
  onConnectionError?: (error: Error) => void;
  /** Deadline of each command and connection attempt (2 s unless given). */
  timeoutMs?: number;
}

/** ThrottleStore in Redis: counters shared by every instance, windows kept by Redis expiry. */
export class RedisThrottleStore implements ThrottleStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisThrottleStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'latchkey:throttle:';
  }

  /** A store on its own connection to `url` (redis://… or rediss://…), once Redis answers. */
  static async connect(url: string, options: RedisThrottleStoreOptions = {}): Promise<RedisThrottleStore> {
    const redis = new Redis(url, redisDeadlines(options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    const firstError = (error: Error) => void error; // reported by the failed ping below
    redis.on('error', firstError);
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      const { host } = new URL(url);
      throw new Error(`Redis at ${host} does not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    redis.off('error', firstError);
    reportOutages(redis, options.onConnectionError ?? ((error) => console.error(`Redis throttle store: ${error.message}`)));
    return new RedisThrottleStore(redis, options);
  }

  async hit(key: string, windowMs: number): Promise<ThrottleCount> {
    const [count, ttl] = (await this.redis.eval(HIT, 1, this.prefix + key, Math.max(1, Math.ceil(windowMs)))) as [number, number];
    return { count, resetInMs: ttl };
  }

  async take(key: string, limit: number, windowMs: number): Promise<ThrottleTake> {
    const window = Math.max(1, Math.ceil(windowMs));
    const [taken, count, ttl] = (await this.redis.eval(TAKE, 1, this.prefix + key, window, limit)) as [number, number, number];
    return { taken: taken === 1, count, resetInMs: ttl };
  }

  async giveBack(key: string): Promise<void> {
    await this.redis.eval(GIVE_BACK, 1, this.prefix + key);
  }

  async peek(key: string): Promise<ThrottleCount> {
    const results = await this.redis.multi().get(this.prefix + key).pttl(this.prefix + key).exec();
    const [[getError, value], [ttlError, ttl]] = results as [[Error | null, string | null], [Error | null, number]];
    if (getError ?? ttlError) throw getError ?? ttlError;
    if (value === null || ttl < 0) return { count: 0, resetInMs: 0 };
    return { count: Number(value), resetInMs: ttl };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * A frozen Redis keeps its connection open and answers nothing: each command gets a
 * deadline. While Redis is away, commands fail at once instead of waiting in ioredis'
 * offline queue; it reconnects at least every second, so logins work again soon after.
 */
function redisDeadlines(timeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  };
}

// ioredis emits an error at every reconnection attempt; one line an outage is enough.
function reportOutages(redis: Redis, report: (error: Error) => void): void {
  let reported = false;
  redis.on('error', (error: Error) => {
    if (!reported) report(error);
    reported = true;
  });
  redis.on('ready', () => {
    reported = false;
  });
}
