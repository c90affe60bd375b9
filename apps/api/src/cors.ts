import cors from '@koa/cors';
import type { Middleware } from 'koa';

/**
 * CORS for the listed origins only, with credentials (the session cookie): a page of one of
 * them may call the API and read its answers; any other origin gets no Access-Control-*
 * header, so browsers keep its page from reading anything.
 */
export function corsFor(origins: readonly string[]): Middleware | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins.map((origin) => origin.replace(/\/$/, '').toLowerCase()));
  return cors({
    origin: (ctx) => (allowed.has(ctx.get('origin').toLowerCase()) ? ctx.get('origin') : ''),
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Content-Type', 'X-Request-Id'],
    exposeHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
}
