/**
 * Resolves when the database answers; a string it resolves with says what keeps it from
 * serving all the same ("database cannot write").
 */
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
    const problem = await this.problem(this.database);
    return problem === undefined ? { ready: true } : { ready: false, reason: problem };
  }

  // A pool waiting for a connection can take a minute to fail: readiness must answer sooner.
  private async problem(probe: ReadinessProbe): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const unreachable = 'database unreachable';
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(unreachable), this.timeoutMs);
    });
    const answer = probe().then(
      (found) => (typeof found === 'string' ? found : undefined),
      () => unreachable,
    );
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
