import { spawn, spawnSync } from 'node:child_process';
import { ROOT } from './server-process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: Record<string, string>;
  /** Written to the CLI's standard input, which is then closed. */
  input?: string;
}

export const CLI_ENTRY = 'apps/cli/src/main.ts';

/** Runs the CLI as `npm run cli` does (tsx, from the repository root) and collects its output. */
export function runCliProcess(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface TerminalExchange {
  /** Text the CLI shows before the reply is typed. */
  prompt: string;
  /** Keys typed at the prompt, e.g. `secret\r`. */
  keys: string;
}

/** True when util-linux `script` can give the CLI a real terminal. */
export function terminalAvailable(): boolean {
  return spawnSync('script', ['--version']).status === 0;
}

/**
 * Runs the CLI on a pseudo-terminal (through `script`), typing each reply once its prompt
 * shows; `output` is everything the terminal displayed, echo included.
 */
export function runCliInTerminal(args: string[], exchanges: TerminalExchange[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, '--import', 'tsx', CLI_ENTRY, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let next = 0;
  let typedUpTo = 0;
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    const exchange = exchanges[next];
    // Only the text after the previous reply counts, so a repeated prompt is waited for again.
    if (exchange && output.lastIndexOf(exchange.prompt) >= typedUpTo) {
      next++;
      typedUpTo = output.length;
      child.stdin.write(exchange.keys);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      child.stdin.destroy();
      resolve({ code, output });
    });
  });
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
