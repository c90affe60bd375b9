export { RedisThrottleStore } from './redis-throttle-store';
export type { RedisThrottleStoreOptions } from './redis-throttle-store';
