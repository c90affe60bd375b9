import type { Context } from 'koa';
import { ValidationError } from '@latchkey/domain';

/** A required string field of a form or JSON body; 400 when missing or not a string. */
export function stringField(ctx: Context, name: string): string {
  const body = (ctx.request as { body?: unknown }).body;
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string' || value === '') throw new ValidationError(`${name} is required`);
  return value;
}
