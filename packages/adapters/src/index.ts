// Every adapter at once, drivers and native modules included; a consumer that wants only
// some imports the subpaths (@latchkey/adapters/memory, /knex, /bcrypt, /redis, /mail, …).
export * from './memory/index';
export * from './knex/index';
export * from './redis/index';
export * from './mail/index';
export * from './bcrypt';
export * from './passwords';
export * from './crypto/index';
export * from './webhooks/index';
