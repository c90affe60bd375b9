import type { AuthService } from '@latchkey/domain';
import type { Logger } from './logger';

export interface SweepSettings {
  /** Seconds between sweeps; 0 turns the timer off (expired sessions are still deleted when met). */
  intervalSeconds: number;
  /** Sessions deleted by one statement. */
  batch: number;
}

/** Batches one sweep may delete, so a backlog is worked off over several ticks, never in one long burst. */
const BATCHES_PER_SWEEP = 10;

/**
 * Deletes expired sessions on a timer, a bounded batch at a time, so the table does not
 * grow with sessions nobody ends. A failed sweep is logged and the next tick tries again.
 */
export class SessionSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly auth: AuthService,
    private readonly settings: SweepSettings,
    private readonly logger: Logger,
  ) {}

  start(): this {
    if (this.settings.intervalSeconds > 0) {
      this.timer = setInterval(() => void this.sweepOnce(), this.settings.intervalSeconds * 1000);
      this.timer.unref();
    }
    return this;
  }

  /** One sweep (skipped while the previous one still runs); how many sessions it deleted. */
  async sweepOnce(): Promise<number> {
    if (this.running) return 0;
    let deleted = 0;
    this.running = (async () => {
      try {
        for (let batch = 0; batch < BATCHES_PER_SWEEP; batch++) {
          const count = await this.auth.sessions.deleteExpired(this.settings.batch);
          deleted += count;
          if (count < this.settings.batch) break;
        }
        if (deleted > 0) this.logger.debug({ deleted }, 'expired sessions deleted');
        // Pending logins live 5 minutes: one batch a sweep keeps up with them.
        await this.auth.secondFactor.deleteExpiredPendingLogins(this.settings.batch);
        // Passkey ceremonies' challenges (PASSKEY_CHALLENGE_TTL_SECONDS): as many batches as sessions get.
        for (let batch = 0; batch < BATCHES_PER_SWEEP; batch++) {
          if ((await this.auth.passkeys.deleteExpiredChallenges(this.settings.batch)) < this.settings.batch) break;
        }
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'expired sessions could not be deleted; next sweep retries');
      }
    })();
    await this.running;
    this.running = undefined;
    return deleted;
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
