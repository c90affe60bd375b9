import { Redis } from 'ioredis';
import type { ThrottleCount, ThrottleStore } from '@latchkey/domain';

/**
 * One round trip, atomic: add one, start the window on the first hit, read what is left.
 * A key found without an expiry (written by hand, or a crash between two commands of an
 * older client) gets one, so no counter can live forever.
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

export interface RedisThrottleStoreOptions {
  /** Put before every key, so several services or test runs can share one Redis. */
  keyPrefix?: string;
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

  /** A store on its own connection to `url` (redis://… or rediss://…). */
  static connect(url: string, options: RedisThrottleStoreOptions = {}): RedisThrottleStore {
    // Few retries a command: while Redis is down a login fails fast instead of hanging.
    return new RedisThrottleStore(new Redis(url, { maxRetriesPerRequest: 2 }), options);
  }

  async hit(key: string, windowMs: number): Promise<ThrottleCount> {
    const [count, ttl] = (await this.redis.eval(HIT, 1, this.prefix + key, Math.max(1, Math.ceil(windowMs)))) as [number, number];
    return { count, resetInMs: ttl };
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
