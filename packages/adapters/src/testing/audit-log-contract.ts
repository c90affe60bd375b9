import type { ContractTestApi } from './test-api';
import type { AuditLog, AuthEvent } from '@latchkey/domain';

export interface AuditLogFixture {
  log: AuditLog;
  close?: () => Promise<void>;
}

const event = (fields: Partial<AuthEvent>): AuthEvent => ({
  type: 'login_failed',
  occurredAt: Date.UTC(2026, 10, 25, 3, 0, 0),
  userId: null,
  email: 'someone@example.com',
  ip: '203.0.113.7',
  userAgent: 'curl/8.5.0',
  ...fields,
});

/** The behaviour every AuditLog must show. */
export function auditLogContract(
  { describe, it, expect, beforeEach, afterEach }: ContractTestApi,
  name: string,
  open: () => Promise<AuditLogFixture>,
): void {
  describe(`AuditLog contract: ${name}`, () => {
    let fixture: AuditLogFixture;
    let log: AuditLog;

    beforeEach(async () => {
      fixture = await open();
      log = fixture.log;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('keeps every field of an event and gives it an id', async () => {
      const recorded = event({ type: 'register', userId: 7, email: 'a@example.com', occurredAt: 1_764_039_600_123 });
      await log.record(recorded);
      const [found] = await log.recent({ email: 'a@example.com', limit: 10 });
      expect(found).toEqual({ ...recorded, id: expect.any(Number) });
    });

    it('keeps absent fields absent', async () => {
      await log.record(event({ type: 'logout', userId: 3, email: null, ip: null, userAgent: null }));
      expect(await log.recent({ email: 'nobody@example.com', userId: 3, limit: 10 })).toEqual([
        { id: expect.any(Number), type: 'logout', occurredAt: expect.any(Number), userId: 3, email: null, ip: null, userAgent: null },
      ]);
    });

    it('answers the most recent events first, at most the limit', async () => {
      for (const type of ['register', 'login_failed', 'login_succeeded', 'logout'] as const) await log.record(event({ type, email: 'b@example.com' }));
      const recent = await log.recent({ email: 'b@example.com', limit: 3 });
      expect(recent.map((e) => e.type)).toEqual(['logout', 'login_succeeded', 'login_failed']);
      expect(recent[0]!.id).toBeGreaterThan(recent[1]!.id);
    });

    it("finds an email's events whatever its case, and the account's events without an email", async () => {
      await log.record(event({ type: 'register', userId: 11, email: 'c@example.com' }));
      await log.record(event({ type: 'logout', userId: 11, email: null }));
      await log.record(event({ type: 'login_failed', userId: null, email: 'c@example.com' }));
      await log.record(event({ type: 'register', userId: 12, email: 'd@example.com' }));
      const byEmail = await log.recent({ email: ' C@Example.COM ', limit: 10 });
      expect(byEmail.map((e) => e.type)).toEqual(['login_failed', 'register']);
      const both = await log.recent({ email: 'c@example.com', userId: 11, limit: 10 });
      expect(both.map((e) => e.type)).toEqual(['login_failed', 'logout', 'register']);
    });

    it('bounds every text field, whatever the client sent, and stores NUL and lone surrogates as U+FFFD', async () => {
      const email = `${'x'.repeat(15_000)}@example.com`;
      await log.record(event({ email, ip: '1'.repeat(200), userAgent: 'a'.repeat(5000) }));
      await log.record(event({ email: 'nul\u0000@example.com', userAgent: 'half \uD83D' }));
      const [long] = await log.recent({ email: email.slice(0, 254), limit: 1 });
      expect(long).toMatchObject({ email: email.slice(0, 254), ip: '1'.repeat(64), userAgent: 'a'.repeat(512) });
      const [nul] = await log.recent({ email: 'nul\uFFFD@example.com', limit: 1 });
      expect(nul).toMatchObject({ email: 'nul\uFFFD@example.com', userAgent: 'half \uFFFD' });
    });

    it('deletes the oldest events before a cutoff, at most the limit at a time, and keeps the rest', async () => {
      const day = 86_400_000;
      const base = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 5; i++) await log.record(event({ email: 'old@example.com', occurredAt: base + i * day }));
      await log.record(event({ email: 'new@example.com', occurredAt: base + 30 * day }));
      expect(await log.deleteOlderThan(base + 3 * day, 2)).toBe(2);
      expect(await log.deleteOlderThan(base + 3 * day, 2)).toBe(1);
      expect(await log.deleteOlderThan(base + 3 * day, 2)).toBe(0);
      const left = await log.recent({ email: 'old@example.com', limit: 10 });
      expect(left.map((e) => e.occurredAt)).toEqual([base + 4 * day, base + 3 * day]);
      expect(await log.recent({ email: 'new@example.com', limit: 10 })).toHaveLength(1);
    });

    it('answers nothing for an email it never saw', async () => {
      expect(await log.recent({ email: 'ghost@example.com', limit: 10 })).toEqual([]);
    });
  });
}
