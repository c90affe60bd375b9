export { MemoryUserRepository } from './memory/memory-user-repository';
export { MemoryThrottleStore } from './memory/memory-throttle-store';
export { RedisThrottleStore } from './redis/redis-throttle-store';
export type { RedisThrottleStoreOptions } from './redis/redis-throttle-store';
export { KnexUserRepository } from './knex/knex-user-repository';
export { createKnex, knexConfigFromUrl, sqliteFilename } from './knex/connection';
export type { Knex } from 'knex';
export { migrateToLatest, migrationConfig, migrationSource } from './knex/migrations/index';
export { BcryptPasswordHasher } from './bcrypt-password-hasher';
