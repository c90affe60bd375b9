/**
 * Vitest global setup: checks once whether PostgreSQL and Redis answer. With
 * LATCHKEY_REQUIRE_SERVICES=1 a missing one stops the run at once; otherwise the run goes
 * on without their tests and ends by saying so.
 */
import { checkPostgres, checkRedis, skipNotice } from '../../packages/adapters/test/real-services';

export default async function setup(): Promise<() => void> {
  const missing = (await Promise.all([checkPostgres(), checkRedis()])).filter((check) => !check.available);
  return () => {
    for (const { name, reason } of missing) console.warn(`\n${skipNotice(name, reason)}`);
  };
}
