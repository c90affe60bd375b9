import type { Writable } from 'node:stream';
import { CancelledError, RefusedError, UsageError } from './cli-errors';
import type { CliInput, CliIo } from './io';

/**
 * The new password of `users add`: typed twice at a terminal prompt that echoes nothing,
 * or the first line of standard input when that is a pipe or a file. Never an argument,
 * so it stays out of shell history and process listings.
 */
export async function readNewPassword(io: CliIo): Promise<string> {
  if (io.stdin.isTTY && io.stdin.setRawMode) return promptTwice(io.stdin, io.stderr);
  const password = firstLine(await readAll(io.stdin));
  if (password === '') throw new UsageError('no password on standard input', 'users add');
  return password;
}

async function promptTwice(input: CliInput, output: Writable): Promise<string> {
  const reader = new HiddenLineReader(input, output);
  try {
    const password = await reader.read('Password: ');
    if ((await reader.read('Repeat password: ')) !== password) throw new RefusedError('the passwords do not match');
    return password;
  } finally {
    reader.close();
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!;
}

async function readAll(input: CliInput): Promise<string> {
  input.setEncoding('utf8');
  let text = '';
  for await (const chunk of input) text += chunk as string;
  return text;
}

/** Where a keystroke leaves the line being typed. */
export type KeyResult = { line: string; end?: 'enter' | 'cancel' };

/** Line editing without echo: Enter ends, Ctrl-C cancels, Backspace and Ctrl-U erase. */
export function applyKey(line: string, key: string): KeyResult {
  if (key === '\r' || key === '\n') return { line, end: 'enter' };
  if (key === '\u0003') return { line: '', end: 'cancel' };
  if (key === '\u0004') return line === '' ? { line, end: 'cancel' } : { line, end: 'enter' };
  if (key === '\u007f' || key === '\b') return { line: [...line].slice(0, -1).join('') };
  if (key === '\u0015') return { line: '' };
  if (key < ' ') return { line };
  return { line: line + key };
}

/** Reads lines from a terminal in raw mode, so nothing typed is echoed. */
class HiddenLineReader {
  private line = '';
  private readonly lines: string[] = [];
  private cancelled = false;
  private waiting?: () => void;
  private readonly onData = (chunk: string) => this.take(chunk);

  constructor(
    private readonly input: CliInput,
    private readonly output: Writable,
  ) {
    // Raw mode goes on before the first prompt is shown: nothing typed after it can echo.
    input.setRawMode!(true);
    input.setEncoding('utf8');
    input.on('data', this.onData);
    input.resume();
  }

  async read(prompt: string): Promise<string> {
    this.output.write(prompt);
    while (this.lines.length === 0 && !this.cancelled) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    this.output.write('\n');
    if (this.cancelled) throw new CancelledError();
    return this.lines.shift()!;
  }

  close(): void {
    this.input.off('data', this.onData);
    this.input.setRawMode!(false);
    this.input.pause();
  }

  private take(chunk: string): void {
    // An escape sequence (arrow keys, function keys) is one chunk: none of it is text.
    if (chunk.startsWith('\u001b')) return;
    for (const key of chunk) {
      const result = applyKey(this.line, key);
      this.line = result.end ? '' : result.line;
      if (result.end === 'enter') this.lines.push(result.line);
      if (result.end === 'cancel') this.cancelled = true;
    }
    this.waiting?.();
  }
}
