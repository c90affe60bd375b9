import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '@latchkey/adapters';
import type { AuthEvent } from '@latchkey/domain';
import { createServices, loadConfig, pruneAuditEvery } from '../src';

const DAY = 86_400_000;
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const event = (ageMs: number): AuthEvent => ({ type: 'logout', occurredAt: Date.now() - ageMs, userId: 1, email: null, ip: null, userAgent: null });

describe('AUDIT_RETENTION_DAYS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-retention-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes events past retention when the server starts, and keeps the rest', async () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'audit.db')}`, AUDIT_RETENTION_DAYS: '30' } as const;
    const first = await createServices(loadConfig(env), { logger: silent });
    for (const age of [400 * DAY, 31 * DAY, 29 * DAY, 0]) await first.audit.record(event(age));
    await first.close();
    const server = await createServices(loadConfig(env), { logger: silent, pruneAudit: true });
    await server.close(); // waits for the run in progress
    const reopened = await createServices(loadConfig(env), { logger: silent });
    const left = await reopened.audit.recent({ email: 'x@example.com', userId: 1, limit: 10 });
    await reopened.close();
    expect(left).toHaveLength(2);
    expect(left.every((e) => e.occurredAt > Date.now() - 30 * DAY)).toBe(true);
  });

  it('runs again on its timer, and never with 0', async () => {
    const log = new MemoryAuditLog();
    const config = loadConfig({ NODE_ENV: 'test', AUDIT_RETENTION_DAYS: '1' });
    const stop = pruneAuditEvery(20, log, config, silent);
    await sleep(30);
    await log.record(event(2 * DAY));
    await sleep(80);
    await stop();
    expect(await log.recent({ email: 'x@example.com', userId: 1, limit: 10 })).toEqual([]);

    const keeping = pruneAuditEvery(20, log, loadConfig({ NODE_ENV: 'test', AUDIT_RETENTION_DAYS: '0' }), silent);
    await log.record(event(2000 * DAY));
    await sleep(60);
    await keeping();
    expect(await log.recent({ email: 'x@example.com', userId: 1, limit: 10 })).toHaveLength(1);
  });
});
