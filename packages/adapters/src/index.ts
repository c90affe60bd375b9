export { MemoryUserRepository } from './memory/memory-user-repository';
export { MemoryThrottleStore } from './memory/memory-throttle-store';
export { KnexUserRepository } from './knex/knex-user-repository';
export { createKnex, knexConfigFromUrl, sqliteFilename } from './knex/connection';
export type { Knex } from 'knex';
export { migrateToLatest, migrationConfig, migrationSource } from './knex/migrations/index';
export { migrationStatus } from './knex/migration-status';
export type { MigrationStatus } from './knex/migration-status';
export { BcryptPasswordHasher } from './bcrypt-password-hasher';
