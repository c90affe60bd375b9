import type { Command, OptionSpec } from './command';

const COMMON_OPTIONS: Record<string, OptionSpec & { short?: string }> = {
  json: { type: 'boolean', description: 'Print JSON (for scripts) instead of a table' },
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
};

export const COMMON_PARSE_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const EXIT_CODES = [
  'Exit codes: 0 done, 1 no such user, 2 bad usage, 3 refused (email taken, password',
  'refused or mistyped, key rotation refused), 4 configuration or database problem,',
  '130 cancelled at the prompt.',
].join('\n');

const ENVIRONMENT = [
  'Environment: the server\'s variables (DATABASE_URL, BCRYPT_ROUNDS, PASSWORD_*,',
  'RESET_TOKEN_TTL_SECONDS, ...): the CLI works on the database the server uses.',
].join('\n');

export function usageLine(command: Command): string {
  const options = Object.entries(command.options ?? {}).map(([name, spec]) =>
    spec.type === 'string' ? `[--${name} ${spec.value ?? 'VALUE'}]` : `[--${name}]`,
  );
  return ['latchkey', command.name, ...command.args, ...options, '[--json]'].join(' ');
}

export function globalHelp(commands: readonly Command[]): string {
  return [
    'Usage: latchkey <command> [arguments] [--json] [--help]',
    '',
    'Administers the users of a Latchkey database, the one DATABASE_URL names.',
    '',
    'Commands:',
    commandList(commands),
    '',
    'Options of every command:',
    optionList(COMMON_OPTIONS),
    '',
    EXIT_CODES,
    ENVIRONMENT,
    '',
  ].join('\n');
}

export function groupHelp(group: string, commands: readonly Command[]): string {
  return [`Usage: latchkey ${group} <command> [arguments] [--json] [--help]`, '', 'Commands:', commandList(commands), ''].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `Usage: ${usageLine(command)}`,
    '',
    `${command.summary}.`,
    ...(command.details ? [command.details] : []),
    '',
    'Options:',
    optionList({ ...command.options, ...COMMON_OPTIONS }),
    '',
    EXIT_CODES,
    '',
  ].join('\n');
}

function commandList(commands: readonly Command[]): string {
  const names = commands.map((command) => [command.name, ...command.args].join(' '));
  const width = Math.max(...names.map((name) => name.length));
  return commands.map((command, index) => `  ${names[index]!.padEnd(width)}  ${command.summary}`).join('\n');
}

function optionList(options: Record<string, OptionSpec & { short?: string }>): string {
  const labels = Object.entries(options).map(
    ([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`,
  );
  const width = Math.max(...labels.map((label) => label.length));
  return Object.values(options)
    .map((spec, index) => `  ${labels[index]!.padEnd(width)}  ${spec.description}`)
    .join('\n');
}
