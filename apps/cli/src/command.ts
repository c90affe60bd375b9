import type { Services } from '@latchkey/runtime';
import type { CliIo } from './io';
import type { Report } from './output';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder shown in help for a string option, e.g. `N`. */
  value?: string;
  description: string;
  /** A string option that must be a whole number in [min, max]; it arrives as a number. */
  wholeNumber?: { min: number; max: number };
}

export type OptionValue = string | number | boolean | undefined;

/**
 * What a command needs of the database before it runs:
 * `schema` an existing database with every migration applied, `existing` only an existing
 * one, `any` whatever DATABASE_URL names (migrations create it).
 */
export type DatabaseNeed = 'schema' | 'existing' | 'any';

export interface CommandContext {
  /** Positional arguments, in the order of Command.args. */
  args: string[];
  options: Record<string, OptionValue>;
  services: Services;
  io: CliIo;
}

export interface Command {
  /** The words that select it, e.g. `users add`. */
  name: string;
  /** Names of its positional arguments, e.g. `EMAIL`. */
  args: string[];
  summary: string;
  /** More lines for its `--help`. */
  details?: string;
  options?: Record<string, OptionSpec>;
  database: DatabaseNeed;
  run(context: CommandContext): Promise<Report>;
}
