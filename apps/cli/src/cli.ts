import { toCliFailure, EXIT } from './cli-errors';
import type { Command } from './command';
import { parseCommandLine } from './command-line';
import { COMMANDS } from './commands/index';
import type { CliIo } from './io';
import type { ServicesOpener } from './open-services';
import { render } from './output';

/** Runs one command line; resolves with the exit code. Failures print one line, never a stack. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  open: ServicesOpener = openServicesLazily,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  try {
    const invocation = parseCommandLine(argv, commands);
    if ('help' in invocation) {
      io.stdout.write(invocation.help);
      return EXIT.ok;
    }
    const { command, args, options, json } = invocation;
    const services = await open(io, command.database);
    try {
      io.stdout.write(render(await command.run({ args, options, services, io }), json));
    } finally {
      await services.close();
    }
    return EXIT.ok;
  } catch (error) {
    const failure = toCliFailure(error);
    io.stderr.write(`latchkey: ${failure.message}\n`);
    return failure.code;
  }
}

// Help and usage errors answer without loading the database drivers.
const openServicesLazily: ServicesOpener = async (io, need) => (await import('./open-services')).openServices(io, need);
