import type { RouterContext, RouterMiddleware } from '@koa/router';
import type { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import { ValidationError } from '@latchkey/domain';
import type { AdminAccess } from './admin-key';
import { readAdminKey } from './admin-key';
import type { NamedCookie } from './cookies';
import type { HandlerDeps } from './routes/context';
import { readSession } from './session';
import type { SessionNeed, SessionState } from './session';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The fields of a form or JSON body. */
export type BodySchema = z.ZodObject;

type BodyState<B extends BodySchema | undefined> = B extends BodySchema ? { body: z.output<B> } : object;

/** A handler's context: ctx.state holds the session and the checked body its declaration asked for. */
export type EndpointContext<N extends SessionNeed | undefined, B extends BodySchema | undefined> = RouterContext<SessionState<N> & BodyState<B>>;

/**
 * One endpoint, declared once: the router mounts it, the OpenAPI document is generated from
 * it, and its body is checked against the same schema the document shows.
 */
export interface Endpoint<N extends SessionNeed | undefined = SessionNeed | undefined, B extends BodySchema | undefined = BodySchema | undefined> {
  method: Method;
  /** The router's form: `/sessions/:id`. */
  path: string;
  summary: string;
  operationId: string;
  /** What the route needs of the session cookie (see SessionNeed); without it, no session is read. */
  session?: N;
  /** The body's fields, checked before the handler runs; the checked values are ctx.state.body. */
  body?: B;
  /** The document says the body may be left out (its schema must then accept none). */
  bodyOptional?: true;
  /** The body is checked before the session is looked up (a missing code answers 400 before a 403). */
  bodyFirst?: true;
  /** Path parameters, for the document. */
  params?: z.ZodObject;
  /** Query parameters, checked before the handler runs (400 naming the first refused); the checked values are ctx.state.query. */
  query?: z.ZodObject;
  /** An admin API route: a Bearer key is checked first (401), and one that is read-only refused a change (403); ctx.state.admin is the caller. */
  admin?: AdminAccess;
  /** Cookies read besides the session's, for the document. */
  cookies?: readonly NamedCookie[];
  /** What each status answers; the refusals that come before routing are added to the document. */
  responses: Record<number, ZodOpenApiResponseObject>;
  handle(ctx: EndpointContext<N, B>, deps: HandlerDeps): Promise<void> | void;
}

/** Declares an endpoint; its handler is typed by what it declares. */
export function endpoint<N extends SessionNeed | undefined = undefined, B extends BodySchema | undefined = undefined>(
  declaration: Endpoint<N, B>,
): Endpoint<N, B> {
  return declaration;
}

/**
 * The body as the schema reads it (unknown fields dropped). The first field it refuses, in
 * the schema's order, answers 400 "<field> <message>": "email is required".
 */
export function validBody<S extends BodySchema>(schema: S, body: unknown): z.output<S> {
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const checked = schema.safeParse(fields);
  if (checked.success) return checked.data;
  const [issue] = checked.error.issues;
  throw new ValidationError(`${issue!.path.join('.')} ${issue!.message}`);
}

/** The endpoint's one middleware: its session step, its body check, then its handler. */
export function middlewareOf(endpoint: Endpoint, deps: HandlerDeps): RouterMiddleware {
  const { session, body, bodyFirst } = endpoint;
  // A route with nothing to check first (GET /, /healthz) is its handler alone: no async
  // layer of its own on every request.
  if (!endpoint.admin && !endpoint.query && !session && !body) return (ctx) => endpoint.handle(ctx, deps);
  return async (ctx) => {
    if (endpoint.admin) await readAdminKey(ctx, deps.auth, endpoint.admin);
    if (endpoint.query) ctx.state.query = validBody(endpoint.query, ctx.query);
    if (session && !bodyFirst) await readSession(ctx, deps.auth, session);
    if (body) ctx.state.body = validBody(body, ctx.request.body);
    if (session && bodyFirst) await readSession(ctx, deps.auth, session);
    await endpoint.handle(ctx, deps);
  };
}
