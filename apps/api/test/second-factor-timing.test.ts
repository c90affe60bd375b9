import { afterEach, expect, it } from 'vitest';
import type { TestServer } from './harness';
import { startTestServer } from './harness';
import { SteppedClock, secondFactorClient } from './second-factor-client';
import { referenceTotp } from '../../../packages/adapters/test/support/totp-reference';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const { register, login, pendingLogin, enrol, completeLogin } = secondFactorClient(() => server);

/** Rounds of each kind, alternating. */
const ROUNDS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

it(`a right code and a wrong one take the same time (medians of ${ROUNDS} each)`, async () => {
  const clock = new SteppedClock();
  // Enough wrong codes for every round: the time of a refusal is measured, not of a lockout.
  server = await startTestServer({ clock }, { settings: { SECOND_FACTOR_FAILURES_PER_ACCOUNT: 1000 } });
  await register('ada@example.com');
  const { secret } = await enrol(await login('ada@example.com'), clock.now());
  const right: number[] = [];
  const wrong: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of round % 2 === 0 ? ['right', 'wrong'] : ['wrong', 'right']) {
      const pending = await pendingLogin('ada@example.com');
      const code = kind === 'right' ? referenceTotp(secret, clock.nextStep()) : wrongCode(secret, clock.now());
      const started = performance.now();
      const response = await completeLogin(pending, code);
      const took = performance.now() - started;
      expect(response.status).toBe(kind === 'right' ? 200 : 401);
      (kind === 'right' ? right : wrong).push(took);
    }
  }
  const [rightMs, wrongMs] = [median(right), median(wrong)];
  console.log(`POST /sessions/second_factor medians over ${ROUNDS} each: right ${rightMs.toFixed(1)} ms, wrong ${wrongMs.toFixed(1)} ms`);
  expect(Math.min(rightMs, wrongMs)).toBeGreaterThanOrEqual(50);
  // The floor hides the ~1 ms of work a right code adds; a loaded machine may add noise to either.
  expect(Math.abs(rightMs - wrongMs)).toBeLessThan(10);
});

/** A code of none of the steps around `at`. */
function wrongCode(secret: string, at: number): string {
  const around = new Set([-1, 0, 1].map((step) => referenceTotp(secret, at + step * 30_000)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!around.has(code)) return code;
  }
}
