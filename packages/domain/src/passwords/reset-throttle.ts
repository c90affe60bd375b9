import type { ClientContext } from '../kernel/client-context';
import { ResetRequestsUnavailableError, TooManyResetRequestsError } from '../kernel/errors';
import type { ThrottleStore } from '../ports/throttle-store';
import { digestSecret } from '../kernel/secrets';
import { normalizeEmail } from '../users/user';

export interface ResetThrottleSettings {
  requestsPerEmail: number;
  requestsPerIp: number;
  windowMs: number;
}

export const DEFAULT_RESET_THROTTLE: ResetThrottleSettings = {
  requestsPerEmail: 5,
  requestsPerIp: 20,
  windowMs: 900_000,
};

/** Seconds a client is asked to wait while the counters cannot be reached. */
const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Counts reset requests per email (registered or not, so a refusal tells nothing) and per
 * client address. Each request is counted before it is judged, so concurrent requests
 * cannot all slip under the limit; refused ones count too.
 */
export class ResetThrottle {
  readonly settings: ResetThrottleSettings;

  constructor(
    private readonly store: ThrottleStore,
    settings: Partial<ResetThrottleSettings> = {},
  ) {
    this.settings = { ...DEFAULT_RESET_THROTTLE, ...settings };
  }

  /** Counts one request; TooManyResetRequestsError past either limit. */
  async reserve(email: string, client: ClientContext = {}): Promise<void> {
    const limits = this.limits(email, client);
    let counts;
    try {
      counts = await Promise.all(limits.map(([key]) => this.store.hit(key, this.settings.windowMs)));
    } catch (error) {
      throw new ResetRequestsUnavailableError(STORE_RETRY_AFTER_SECONDS, error);
    }
    const over = counts.filter((count, i) => count.count > limits[i]![1]);
    if (over.length > 0) {
      throw new TooManyResetRequestsError(Math.max(1, Math.ceil(Math.max(...over.map((c) => c.resetInMs)) / 1000)));
    }
  }

  private limits(email: string, client: ClientContext): Array<[string, number]> {
    // The digest keeps a key short whatever the email's length.
    const limits: Array<[string, number]> = [[`reset:email:${digestSecret(normalizeEmail(email))}`, this.settings.requestsPerEmail]];
    if (client.ip) limits.push([`reset:ip:${client.ip}`, this.settings.requestsPerIp]);
    return limits;
  }
}
