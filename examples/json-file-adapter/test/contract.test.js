import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { expect } from 'expect';
import { sessionRepositoryContract, userRepositoryContract } from '@latchkey/adapters/testing';
import { JsonFileStore } from '../json-file-store.js';

// node:test's own describe/it/hooks, and Jest's `expect`: the suites take whichever framework runs them.
const framework = { describe, it, beforeEach, afterEach, expect };
const dir = mkdtempSync(join(tmpdir(), 'json-file-adapter-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

userRepositoryContract(framework, 'JSON file', async () => {
  const path = join(dir, `users-${++files}.json`);
  const store = await JsonFileStore.open(path);
  return {
    repository: store.users,
    reopen: async () => {
      await store.save();
      return (await JsonFileStore.open(path)).users;
    },
  };
});

sessionRepositoryContract(framework, 'JSON file', async () => {
  const store = await JsonFileStore.open(join(dir, `sessions-${++files}.json`));
  return { users: store.users, sessions: store.sessions };
});
