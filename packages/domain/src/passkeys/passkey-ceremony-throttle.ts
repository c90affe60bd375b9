import type { ClientContext } from '../kernel/client-context';
import { ThrottleUnavailableError, TooManyAttemptsError } from '../kernel/errors';
import type { LimitRule } from '../kernel/limiter';
import { Limiter } from '../kernel/limiter';
import type { ThrottleStore } from '../ports/throttle-store';

export interface PasskeyCeremonyThrottleSettings {
  /** Sign-in ceremonies one client address may start per window. */
  perIp: number;
  windowMs: number;
}

/**
 * Counts the passkey sign-in ceremonies each client address starts (passkey_ceremony.ip):
 * each stores a challenge row before anyone is known, so an address may keep at most this
 * many rows alive, whatever its rate.
 */
export class PasskeyCeremonyThrottle {
  private readonly limiter: Limiter<ClientContext>;

  constructor(store: ThrottleStore, readonly settings: PasskeyCeremonyThrottleSettings) {
    const rule: LimitRule<ClientContext> = {
      name: 'passkey_ceremony.ip',
      limit: settings.perIp,
      windowMs: settings.windowMs,
      key: (client) => (client.ip ? `passkey:ceremony:ip:${client.ip}` : undefined),
      errors: {
        tooMany: (seconds) => new TooManyAttemptsError(seconds),
        unavailable: (seconds, cause) => new ThrottleUnavailableError(seconds, cause),
      },
    };
    this.limiter = new Limiter(store, [rule]);
  }

  /** Counts one ceremony; TooManyAttemptsError past the limit. */
  count(client: ClientContext): Promise<void> {
    return this.limiter.count(client);
  }
}
