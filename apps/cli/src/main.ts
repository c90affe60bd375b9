import { runCli } from './cli';

/** Composition root of the CLI: the process's arguments, streams and environment. */
process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
