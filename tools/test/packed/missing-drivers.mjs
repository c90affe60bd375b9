// In a project without pg and ioredis: the errors name the package to install.
import assert from 'node:assert/strict';
import { MissingDriverError, createKnex } from '@latchkey/adapters/knex';

assert.throws(() => createKnex('postgres://latchkey@127.0.0.1:5432/latchkey'), (error) => {
  assert.ok(error instanceof MissingDriverError);
  assert.match(error.message, /needs the package "pg".*npm install pg/);
  return true;
});
await assert.rejects(import('@latchkey/adapters/redis'), /Cannot find package 'ioredis'/);
console.log('missing drivers named');
