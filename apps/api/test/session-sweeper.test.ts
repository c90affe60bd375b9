import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { BcryptPasswordHasher, MemoryPasskeyChallengeStore, MemoryPasskeyRepository, SimpleWebAuthnCeremony, memoryStores } from '@latchkey/adapters';
import type { AuthService } from '@latchkey/domain';
import { createAuth } from '@latchkey/domain';
import { silentLogger } from '../src/logger';
import { SessionSweeper } from '../src/session-sweeper';

const DAY = 24 * 3600_000;

async function serviceWithExpiredSessions(count: number): Promise<{ auth: AuthService; clock: { time: number; now(): number } }> {
  const clock = { time: Date.UTC(2026, 10, 25), now: () => clock.time };
  const auth = createAuth({ ...memoryStores(), hasher: new BcryptPasswordHasher(4), clock, settings: { sessionsPerUserMax: 1000 } });
  await auth.registerUser('bob@example.com', 'pw');
  for (let i = 0; i < count; i++) await auth.createSession('bob@example.com');
  clock.time += DAY;
  return { auth, clock };
}

describe('SessionSweeper', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('deletes expired sessions in batches, at most ten batches a sweep', async () => {
    const { auth } = await serviceWithExpiredSessions(25);
    const sweeper = new SessionSweeper(auth, { intervalSeconds: 0, batch: 2 }, silentLogger);
    expect(await sweeper.sweepOnce()).toBe(20);
    expect(await sweeper.sweepOnce()).toBe(5);
    expect(await sweeper.sweepOnce()).toBe(0);
  });

  it('sweeps on its timer until stopped', async () => {
    vi.useFakeTimers();
    const { auth } = await serviceWithExpiredSessions(3);
    const sweep = vi.spyOn(auth.sessions, 'deleteExpired');
    const sweeper = new SessionSweeper(auth, { intervalSeconds: 60, batch: 100 }, silentLogger).start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sweep).toHaveBeenCalledTimes(1);
    await sweeper.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sweep).toHaveBeenCalledTimes(1);
  });

  it('deletes the challenges of expired passkey ceremonies', async () => {
    const clock = { time: Date.UTC(2026, 11, 3), now: () => clock.time };
    const challenges = new MemoryPasskeyChallengeStore();
    const ceremony = new SimpleWebAuthnCeremony({ id: 'localhost', name: 'Latchkey', origins: ['http://localhost:5000'], userVerification: 'preferred' });
    const auth = createAuth({ ...memoryStores(), hasher: new BcryptPasswordHasher(4), clock, passkeys: { passkeys: new MemoryPasskeyRepository(), challenges, ceremony, idKey: randomBytes(32) } });
    for (let i = 0; i < 3; i++) await auth.passkeys.signInOptions(undefined);
    const deleteExpired = vi.spyOn(challenges, 'deleteExpired');
    const sweeper = new SessionSweeper(auth, { intervalSeconds: 0, batch: 10 }, silentLogger);
    await sweeper.sweepOnce();
    clock.time += 300_000;
    await sweeper.sweepOnce();
    expect(await Promise.all(deleteExpired.mock.results.map((result) => result.value as Promise<number>))).toEqual([0, 3]);
  });

  it('logs a failed sweep and keeps going', async () => {
    const { auth } = await serviceWithExpiredSessions(1);
    vi.spyOn(auth.sessions, 'deleteExpired').mockRejectedValueOnce(new Error('database is locked'));
    const sweeper = new SessionSweeper(auth, { intervalSeconds: 0, batch: 10 }, silentLogger);
    expect(await sweeper.sweepOnce()).toBe(0);
    expect(await sweeper.sweepOnce()).toBe(1);
  });
});
