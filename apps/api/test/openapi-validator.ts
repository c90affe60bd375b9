import type { Context, Next } from 'koa';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import { openApiDocument, openApiPath } from '../src/openapi-document';

/** One answered request, as the app set it. */
export interface ResponseSample {
  method: string;
  path: string;
  status: number;
  /** The media type, without parameters ('' when none). */
  type: string;
  headers: Record<string, unknown>;
  body: unknown;
}

interface DocumentedResponse {
  headers?: Record<string, { required?: boolean; $ref?: string }>;
  content?: Record<string, unknown>;
}

type Operations = Record<string, { responses: Record<string, DocumentedResponse> } | undefined>;

const paths = openApiDocument.paths as unknown as Record<string, Operations | undefined>;
const headerComponents = openApiDocument.components.headers as Record<string, { required?: boolean }>;

// The document is the schema store: every response schema is compiled by its JSON pointer,
// so its $refs resolve inside the document as an OpenAPI reader resolves them.
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(openApiDocument, 'openapi');
const compiled = new Map<string, ValidateFunction>();

function validatorAt(pointer: string): ValidateFunction {
  let validate = compiled.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi#${pointer}` });
    compiled.set(pointer, validate);
  }
  return validate;
}

const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** What differs between a response and the document; empty when it conforms. */
export function openApiProblems(sample: ResponseSample): string[] {
  const where = `${sample.method} ${sample.path} → ${sample.status}`;
  const method = sample.method.toLowerCase();
  const operation = paths[sample.path]?.[method];
  if (!operation) {
    // No operation: the router's 404 or 405, or a refusal that comes before routing.
    if (![400, 403, 404, 405, 413, 415].includes(sample.status)) return [`${where}: no such operation in the document`];
    return bodyProblems(where, sample, '/components/schemas/Error');
  }
  const documented = operation.responses[String(sample.status)];
  if (!documented) return [`${where}: status not documented`];
  const base = `/paths/${escape(sample.path)}/${method}/responses/${sample.status}`;
  const problems: string[] = [];
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const required = header.$ref ? headerComponents[header.$ref.split('/').pop()!]?.required : header.required;
    if (required && sample.headers[name.toLowerCase()] === undefined) problems.push(`${where}: header ${name} missing`);
  }
  const types = Object.keys(documented.content ?? {});
  if (types.length === 0) return problems; // e.g. a redirect, whose body is informative only
  if (!types.includes(sample.type)) return [...problems, `${where}: type ${sample.type || '(none)'} not among ${types.join(', ')}`];
  return [...problems, ...bodyProblems(where, sample, `${base}/content/${escape(sample.type)}/schema`)];
}

function bodyProblems(where: string, sample: ResponseSample, pointer: string): string[] {
  if (sample.type !== 'application/json' && pointer.endsWith('/Error')) return [`${where}: failure is not JSON`];
  if (sample.type !== 'application/json') return [];
  const validate = validatorAt(pointer);
  if (validate(sample.body)) return [];
  return (validate.errors ?? []).map((error) => `${where}: body${error.instancePath} ${error.message} ${JSON.stringify(sample.body)}`);
}

/**
 * Middleware for test servers: checks each response the app gives against the document
 * and keeps what differs (it changes nothing in the response).
 */
export function checkResponsesAgainstDocument(problems: string[]) {
  return async function checkResponse(ctx: Context, next: Next): Promise<void> {
    await next();
    if (ctx.method === 'HEAD' || ctx.method === 'OPTIONS') return;
    const body = ctx.response.is('application/json') ? JSON.parse(JSON.stringify(ctx.body)) : ctx.body;
    // The route that answered, when one did ('//' is served by '/'); else the path asked for.
    const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
    problems.push(
      ...openApiProblems({
        method: ctx.method,
        path: typeof route === 'string' ? openApiPath(route) : ctx.path,
        status: ctx.status,
        type: ctx.response.type,
        headers: ctx.response.headers,
        body,
      }),
    );
  };
}
