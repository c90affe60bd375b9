import { z } from 'zod';

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** Every environment variable the service reads, with its default and what it accepts. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: integer(0, 65535).default(5000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z
      .string()
      .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'use sqlite:<path>, sqlite::memory: or postgres://…')
      .default('sqlite:data/latchkey.db'),
    BCRYPT_ROUNDS: integer(4, 31).default(12),
  })
  .superRefine((env, ctx) => {
    if (env.BCRYPT_ROUNDS < 10 && env.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['BCRYPT_ROUNDS'], message: 'must be at least 10 (lower only with NODE_ENV=test)' });
    }
  });

export type Env = z.infer<typeof configSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  databaseUrl: string;
  bcryptRounds: number;
}

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws a one-line ConfigError naming the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Invalid ${name}=${JSON.stringify(source[name] ?? '')}: ${issue?.message}`);
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    bcryptRounds: env.BCRYPT_ROUNDS,
  };
}
