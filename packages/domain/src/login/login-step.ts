import type { ClientContext } from '../kernel/client-context';
import type { AuthEventType } from '../ports/audit-log';
import type { User } from '../users/user';

/**
 * What a step decides about a login whose password was right:
 * - `pass`: the next step decides (after the last one, a session opens);
 * - `refuse`: answered as a wrong password is, after the same work; the failure keeps its
 *   throttle unit and is recorded as `event`;
 * - `challenge`: the password was right but more is needed (a code): no session yet; the
 *   error that `start` makes (e.g. SecondFactorRequiredError) tells the client what to send.
 */
export type LoginVerdict =
  | { kind: 'pass' }
  | { kind: 'refuse'; event: AuthEventType }
  | { kind: 'challenge'; start: () => Promise<Error> };

/** One step after the password check; passkeys and other methods are added as steps, not branches. */
export interface LoginStep {
  readonly name: string;
  decide(user: User, client: ClientContext): Promise<LoginVerdict>;
}

export const PASS: LoginVerdict = { kind: 'pass' };
