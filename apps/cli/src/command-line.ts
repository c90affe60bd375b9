import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-errors';
import type { Command, OptionSpec, OptionValue } from './command';
import { COMMON_PARSE_OPTIONS, commandHelp, globalHelp, groupHelp } from './help';

/** What the arguments ask for: a help text to print, or a command to run. */
export type Invocation =
  | { help: string }
  | { command: Command; args: string[]; options: Record<string, OptionValue>; json: boolean };

export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): Invocation {
  const [first] = argv;
  if (first === undefined) throw new UsageError('a command is needed');
  if (first === '--help' || first === '-h') return { help: globalHelp(commands) };
  if (first === 'help') return helpFor(argv.slice(1), commands);
  const command = findCommand(argv, commands);
  if (!command) return unknownCommand(argv, commands);
  const rest = argv.slice(command.name.split(' ').length);
  if (asksForHelp(rest)) return { help: commandHelp(command) };
  const { values, positionals } = parseOptions(command, rest);
  checkArguments(command, positionals);
  const options: Record<string, OptionValue> = {};
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    options[name] = optionValue(command, name, spec, values[name] as string | boolean | undefined);
  }
  return { command, args: positionals, options, json: values.json === true };
}

/** The command whose name is the longest run of leading words (`migrate status` over `migrate`). */
function findCommand(argv: readonly string[], commands: readonly Command[]): Command | undefined {
  const matching = commands.filter((command) => command.name.split(' ').every((word, index) => argv[index] === word));
  return matching.sort((a, b) => b.name.length - a.name.length)[0];
}

function helpFor(topic: readonly string[], commands: readonly Command[]): Invocation {
  if (topic.length === 0) return { help: globalHelp(commands) };
  const command = findCommand(topic, commands);
  if (command) return { help: commandHelp(command) };
  const group = commandsOfGroup(topic[0]!, commands);
  if (group.length > 0) return { help: groupHelp(topic[0]!, group) };
  throw new UsageError(`unknown command "${topic.join(' ')}"`);
}

function unknownCommand(argv: readonly string[], commands: readonly Command[]): never | Invocation {
  const group = commandsOfGroup(argv[0]!, commands);
  if (group.length === 0) throw new UsageError(`unknown command "${argv[0]}"`);
  if (asksForHelp(argv.slice(1))) return { help: groupHelp(argv[0]!, group) };
  const wanted = argv[1] === undefined || argv[1].startsWith('-') ? argv[0]! : `${argv[0]} ${argv[1]}`;
  throw new UsageError(`unknown command "${wanted}"; ${argv[0]} commands: ${group.map((c) => c.name.split(' ')[1]).join(', ')}`, argv[0]);
}

function commandsOfGroup(group: string, commands: readonly Command[]): Command[] {
  return commands.filter((command) => command.name.startsWith(`${group} `));
}

/** `--help` anywhere before a `--` wins over every other mistake on the line. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function parseOptions(command: Command, args: string[]) {
  const options: ParseArgsConfig['options'] = { ...COMMON_PARSE_OPTIONS };
  for (const [name, spec] of Object.entries(command.options ?? {})) options[name] = { type: spec.type };
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs explains at length how to pass a dash-leading value; the first sentence says it.
    const message = (error as Error).message.split(/\.\s/, 1)[0]!.replace(/\.$/, '');
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1), command.name);
  }
}

function optionValue(command: Command, name: string, spec: OptionSpec, value: string | boolean | undefined): OptionValue {
  if (!spec.wholeNumber || typeof value !== 'string') return value;
  const { min, max } = spec.wholeNumber;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`, command.name);
  }
  return number;
}

function checkArguments(command: Command, positionals: string[]): void {
  if (positionals.length < command.args.length) {
    throw new UsageError(`missing ${command.args.slice(positionals.length).join(' ')}`, command.name);
  }
  if (positionals.length > command.args.length) {
    throw new UsageError(`unexpected argument "${positionals[command.args.length]}"`, command.name);
  }
  const empty = positionals.findIndex((value) => value.trim() === '');
  if (empty !== -1) throw new UsageError(`${command.args[empty]} is empty`, command.name);
}
