import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../src/cli';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** runCli with piped standard input (ended after `input`) and captured output. */
export async function runInProcess(argv: string[], env: NodeJS.ProcessEnv, input = ''): Promise<InProcessRun> {
  const stdin = new PassThrough();
  stdin.end(input);
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(argv, { stdin, stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
