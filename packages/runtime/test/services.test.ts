import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createServices, loadConfig } from '../src';
import type { ServiceOptions, Services } from '../src';

describe('createServices and MIGRATE_ON_START', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-services-'));
  let services: Services | undefined;
  let n = 0;
  const open = async (env: Record<string, string>, options?: ServiceOptions) => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, `${++n}.db`)}`, ...env });
    services = await createServices(config, options);
    return services.knex;
  };

  afterEach(async () => {
    await services?.close();
    services = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates at start by default', async () => {
    const knex = await open({});
    expect(await knex.schema.hasTable('users')).toBe(true);
  });

  it('leaves the schema alone with MIGRATE_ON_START=false', async () => {
    const knex = await open({ MIGRATE_ON_START: 'false' });
    expect(await knex.schema.hasTable('users')).toBe(false);
    expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
  });

  it('lets an explicit option win over the setting', async () => {
    const knex = await open({ MIGRATE_ON_START: 'false' }, { migrate: true });
    expect(await knex.schema.hasTable('users')).toBe(true);
  });
});
