import { createRequire } from 'node:module';

/** A driver the configuration needs is not installed: the message names the package to add. */
export class MissingDriverError extends Error {
  constructor(
    readonly packageName: string,
    wantedBy: string,
  ) {
    super(`${wantedBy} needs the package "${packageName}", which is not installed: npm install ${packageName}`);
    this.name = 'MissingDriverError';
  }
}

const require = createRequire(import.meta.url);

/** Throws MissingDriverError unless `packageName` resolves from here (as Knex's own lookup would). */
export function requireDriver(packageName: string, wantedBy: string): void {
  try {
    require.resolve(packageName);
  } catch {
    throw new MissingDriverError(packageName, wantedBy);
  }
}
