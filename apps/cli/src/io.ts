import type { Readable, Writable } from 'node:stream';

/** Standard input as the CLI sees it: a terminal offers raw mode, a pipe does not. */
export type CliInput = Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/** Where a run of the CLI reads and writes; the process's own streams in main.ts. */
export interface CliIo {
  stdin: CliInput;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}
