import { describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '@latchkey/adapters';
import { AuditRetention } from '../../src';
import type { AuthEvent } from '../../src';
import { FakeClock } from '../fakes';

const DAY = 86_400_000;

function event(occurredAt: number): AuthEvent {
  return { type: 'login_failed', occurredAt, userId: null, email: 'a@example.com', ip: null, userAgent: null };
}

class CountedBatches extends MemoryAuditLog {
  readonly batches: number[] = [];
  override async deleteOlderThan(cutoff: number, limit: number): Promise<number> {
    const deleted = await super.deleteOlderThan(cutoff, limit);
    this.batches.push(deleted);
    return deleted;
  }
}

describe('AuditRetention', () => {
  it('deletes events older than the retention in batches, and keeps the younger ones', async () => {
    const clock = new FakeClock();
    const log = new CountedBatches();
    for (let i = 0; i < 25; i++) await log.record(event(clock.now() - 40 * DAY + i));
    for (let i = 0; i < 3; i++) await log.record(event(clock.now() - DAY));
    const retention = new AuditRetention(log, { retentionMs: 30 * DAY, batchSize: 10 }, clock);
    expect(await retention.prune()).toBe(25);
    expect(log.batches).toEqual([10, 10, 5]);
    expect(await log.recent({ email: 'a@example.com', limit: 100 })).toHaveLength(3);
  });

  it('does at most maxBatches in one run; the next run goes on', async () => {
    const clock = new FakeClock();
    const log = new MemoryAuditLog();
    for (let i = 0; i < 50; i++) await log.record(event(clock.now() - 40 * DAY));
    const retention = new AuditRetention(log, { retentionMs: 30 * DAY, batchSize: 10, maxBatches: 2 }, clock);
    expect(await retention.prune()).toBe(20);
    expect(await retention.prune()).toBe(20);
    expect(await retention.prune()).toBe(10);
    expect(await retention.prune()).toBe(0);
  });
});
