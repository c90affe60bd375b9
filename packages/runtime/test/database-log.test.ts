import { describe, expect, it } from 'vitest';
import { createServices, loadConfig } from '../src';
import type { Logger } from '../src';
import { freePort } from '../../../tools/server-process';

describe('database warnings', () => {
  it('reach the services logger as one line, not the console with a stack', async () => {
    const entries: Array<{ level: string; fields: object; message: string }> = [];
    const logger: Logger = {
      info: (fields, message) => entries.push({ level: 'info', fields, message }),
      warn: (fields, message) => entries.push({ level: 'warn', fields, message }),
      error: (fields, message) => entries.push({ level: 'error', fields, message }),
    };
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/latchkey` });
    const services = await createServices(config, { migrate: false, logger });
    try {
      await expect(services.knex.raw('select 1')).rejects.toMatchObject({ name: 'DependencyUnavailableError', cause: { code: 'ECONNREFUSED' } });
    } finally {
      await services.close();
    }
    expect(entries).toContainEqual({ level: 'warn', fields: { err: expect.stringMatching(/ECONNREFUSED/) }, message: 'database warning' });
    for (const { fields } of entries) expect(JSON.stringify(fields)).not.toMatch(/\\n|\s+at /);
  });
});
