import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MemoryThrottleStore } from '../src';

setFlagsFromString('--expose-gc');

// The ThrottleStore contract runs on every backend in contracts.test.ts.

describe('MemoryThrottleStore bounds', () => {
  it('keeps at most maxEntries counters, forgetting the oldest window first', async () => {
    const store = new MemoryThrottleStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await store.hit(key, 60_000);
    await store.hit('a', 60_000);
    await store.take('d', 5, 60_000);
    expect(store.size).toBe(3);
    expect((await store.peek('a')).count).toBe(0);
    expect(await Promise.all(['b', 'c', 'd'].map(async (key) => (await store.peek(key)).count))).toEqual([1, 1, 1]);
  });

  it('holds a counter for a 15 kB key in the same few hundred bytes as for a short one', async () => {
    const gc = runInNewContext('gc') as () => void;
    const store = new MemoryThrottleStore();
    const entries = 2000;
    gc();
    const before = process.memoryUsage().heapUsed;
    // Lower-cased as the login throttle does: a flat 15 kB string, as a client's email arrives.
    for (let i = 0; i < entries; i++) await store.hit(`login:account:${String(i).padStart(15_000, 'X')}@example.com`.toLowerCase(), 60_000);
    gc();
    const perEntry = (process.memoryUsage().heapUsed - before) / entries;
    expect(store.size).toBe(entries);
    expect(perEntry).toBeLessThan(400);
  });

  it('keeps no counter given back to nothing, so attempts refused by another counter hold no memory', async () => {
    const store = new MemoryThrottleStore();
    for (let i = 0; i < 1000; i++) {
      await store.take(`login:account:#${i}`, 10, 60_000);
      await store.giveBack(`login:account:#${i}`);
    }
    expect(store.size).toBe(0);
    await store.take('kept', 10, 60_000);
    await store.take('kept', 10, 60_000);
    await store.giveBack('kept');
    expect(store.size).toBe(1);
    expect((await store.peek('kept')).count).toBe(1);
  });
});
