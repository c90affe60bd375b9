import type { ContractTestApi } from './test-api';
import type { ThrottleStore } from '@latchkey/domain';

export interface ThrottleFixture {
  store: ThrottleStore;
  /** Lets `ms` of the store's time pass (a fake clock, or real waiting). */
  advance(ms: number): Promise<void>;
  close?: () => Promise<void>;
}

/** The behaviour every ThrottleStore must show; windows here are short so real stores can run it. */
export function throttleStoreContract(
  { describe, it, expect, beforeEach, afterEach }: ContractTestApi,
  name: string,
  open: () => Promise<ThrottleFixture>,
): void {
  describe(`ThrottleStore contract: ${name}`, () => {
    let fixture: ThrottleFixture;
    let store: ThrottleStore;
    let n = 0;
    const key = () => `test:${Date.now()}:${process.pid}:${++n}`;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('counts hits within a window and tells when it ends', async () => {
      const k = key();
      expect(await store.peek(k)).toEqual({ count: 0, resetInMs: 0 });
      expect((await store.hit(k, 60_000)).count).toBe(1);
      const second = await store.hit(k, 60_000);
      expect(second.count).toBe(2);
      expect(second.resetInMs).toBeGreaterThan(55_000);
      expect(second.resetInMs).toBeLessThanOrEqual(60_000);
      expect((await store.peek(k)).count).toBe(2);
    });

    it('keeps keys apart', async () => {
      const [a, b] = [key(), key()];
      await store.hit(a, 60_000);
      await store.hit(a, 60_000);
      expect((await store.hit(b, 60_000)).count).toBe(1);
    });

    it('starts again from zero after the window', async () => {
      const k = key();
      await store.hit(k, 300);
      await store.hit(k, 300);
      await fixture.advance(400);
      expect((await store.peek(k)).count).toBe(0);
      expect((await store.hit(k, 300)).count).toBe(1);
    });

    it('does not extend the window on later hits', async () => {
      const k = key();
      await store.hit(k, 400);
      await fixture.advance(250);
      expect((await store.hit(k, 400)).resetInMs).toBeLessThanOrEqual(150 + 20);
    });

    it('forgets a reset key', async () => {
      const k = key();
      await store.hit(k, 60_000);
      await store.reset(k);
      expect((await store.peek(k)).count).toBe(0);
    });

    it('takes up to the limit, then refuses without counting, and tells when the window ends', async () => {
      const k = key();
      for (let i = 1; i <= 3; i++) expect(await store.take(k, 3, 60_000)).toMatchObject({ taken: true, count: i });
      const refused = await store.take(k, 3, 60_000);
      expect(refused).toMatchObject({ taken: false, count: 3 });
      expect(refused.resetInMs).toBeGreaterThan(55_000);
      expect(refused.resetInMs).toBeLessThanOrEqual(60_000);
      expect((await store.peek(k)).count).toBe(3);
    });

    it('gives back a taken unit, never below zero, within the same window', async () => {
      const k = key();
      await store.take(k, 2, 60_000);
      await store.take(k, 2, 60_000);
      await store.giveBack(k);
      expect(await store.take(k, 2, 60_000)).toMatchObject({ taken: true, count: 2 });
      await store.giveBack(k);
      await store.giveBack(k);
      await store.giveBack(k);
      expect((await store.peek(k)).count).toBe(0);
      await store.giveBack(key());
      expect((await store.peek(k)).resetInMs).toBeLessThanOrEqual(60_000);
    });

    it('starts taking again after the window', async () => {
      const k = key();
      await store.take(k, 1, 300);
      expect((await store.take(k, 1, 300)).taken).toBe(false);
      await fixture.advance(400);
      expect(await store.take(k, 1, 300)).toMatchObject({ taken: true, count: 1 });
    });

    it('lets exactly the limit through when many take at once (20 rounds of 60 against 10)', async () => {
      const rounds = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const k = key();
          const takes = await Promise.all(Array.from({ length: 60 }, () => store.take(k, 10, 60_000)));
          return { taken: takes.filter((t) => t.taken).length, count: (await store.peek(k)).count };
        }),
      );
      expect(rounds).toEqual(Array.from({ length: 20 }, () => ({ taken: 10, count: 10 })));
    });

    it('counts concurrent hits exactly', async () => {
      const k = key();
      await Promise.all(Array.from({ length: 50 }, () => store.hit(k, 60_000)));
      expect((await store.peek(k)).count).toBe(50);
    });
  });
}
