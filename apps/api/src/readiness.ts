export type ReadinessProbe = () => Promise<unknown>;

export type ReadinessState = { ready: true } | { ready: false; reason: string };

/**
 * Whether this process should get traffic: its database answers, and it is not shutting
 * down (a draining process says so, so that load balancers stop sending to it).
 */
export class Readiness {
  private draining = false;

  constructor(
    private readonly database: ReadinessProbe,
    private readonly timeoutMs = 2000,
  ) {}

  drain(): void {
    this.draining = true;
  }

  async check(): Promise<ReadinessState> {
    if (this.draining) return { ready: false, reason: 'shutting down' };
    return (await this.answers(this.database)) ? { ready: true } : { ready: false, reason: 'database unreachable' };
  }

  // A pool waiting for a connection can take a minute to fail: readiness must answer sooner.
  private async answers(probe: ReadinessProbe): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    try {
      return await Promise.race([probe().then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
