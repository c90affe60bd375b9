import { createDocument } from 'zod-openapi';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject, oas31 } from 'zod-openapi';
import { failure } from './api-schemas';
import { SESSION_COOKIE } from './cookies';
import type { NamedCookie } from './cookies';
import type { BodySchema, Endpoint, Method } from './endpoint';
import { ENDPOINTS } from './routes';

const DESCRIPTION =
  'User authentication: registration, login with a session cookie, profile, logout and password reset. ' +
  'Bodies may be form-encoded or JSON. Every failure is JSON {"message": …}; a path that does not exist answers 404, ' +
  'a path with another method 405 with Allow, and any request, whatever its path, may be refused before routing ' +
  '(400 malformed body, 403 change from a page of another origin, 413 body too large, 415 body neither form nor JSON). ' +
  "Every response carries X-Request-Id (the request's own when it sent a plain one) and Cache-Control: no-store, but the public key set's 200.";

const REQUEST_ID: oas31.ReferenceObject = { $ref: '#/components/headers/RequestId' };

/** The document's form of a router path: `/sessions/:id` is `/sessions/{id}`. */
export function openApiPath(routerPath: string): string {
  return routerPath.replace(/:(\w+)/g, '{$1}');
}

/**
 * Refusals that come before routing, so that any operation may answer them: a body that
 * is malformed, too large or of another type, and (for changes) a request sent from a page
 * of a foreign origin, with or without a cookie. An operation's own entry for a status replaces these.
 */
function refusedBeforeRouting(method: Method): Record<number, ZodOpenApiResponseObject> {
  const refusals: Record<number, ZodOpenApiResponseObject> = {
    400: failure('A malformed body, or one announced as gzip, deflate or br that does not decompress.'),
    413: failure('The body is larger than BODY_LIMIT.'),
    415: failure('The body is neither form-encoded nor JSON.'),
  };
  if (method !== 'get') refusals[403] = failure('"cross-origin request refused": a change sent from a page of another origin than the service or ALLOWED_ORIGINS.');
  return refusals;
}

function cookieParameter({ name, description }: NamedCookie): oas31.ParameterObject {
  return { name, in: 'cookie', required: false, description, schema: { type: 'string' } };
}

function formOrJson(schema: BodySchema, required: boolean) {
  return { required, content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } } };
}

/** Every response names X-Request-Id first, then its own headers. */
function withRequestId(response: ZodOpenApiResponseObject): ZodOpenApiResponseObject {
  return { ...response, headers: { 'X-Request-Id': REQUEST_ID, ...(response.headers as oas31.HeadersObject | undefined) } };
}

function operationOf(endpoint: Endpoint): ZodOpenApiOperationObject {
  const cookies = [...(endpoint.session ? [SESSION_COOKIE] : []), ...(endpoint.cookies ?? [])];
  const responses = { ...refusedBeforeRouting(endpoint.method), ...endpoint.responses };
  return {
    summary: endpoint.summary,
    operationId: endpoint.operationId,
    ...(cookies.length > 0 ? { parameters: cookies.map(cookieParameter) } : {}),
    ...(endpoint.params ? { requestParams: { path: endpoint.params } } : {}),
    ...(endpoint.body ? { requestBody: formOrJson(endpoint.body, !endpoint.bodyOptional) } : {}),
    responses: Object.fromEntries(Object.entries(responses).map(([status, response]) => [status, withRequestId(response)])),
  };
}

export type OpenApiDocument = oas31.OpenAPIObject & Required<Pick<oas31.OpenAPIObject, 'paths' | 'components'>>;

/** The OpenAPI 3.1 document of these endpoints. */
export function openApiDocumentOf(endpoints: readonly Endpoint[]): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const endpoint of endpoints) {
    const path = openApiPath(endpoint.path);
    paths[path] = { ...paths[path], [endpoint.method]: operationOf(endpoint) };
  }
  const document = createDocument({
    openapi: '3.1.0',
    info: { title: 'Latchkey', version: '0.1.0', description: DESCRIPTION },
    paths,
    components: {
      headers: { RequestId: { description: 'The request id, also in every log line of the request.', required: true, schema: { type: 'string' } } },
    },
  });
  return { ...document, paths: document.paths ?? {}, components: document.components ?? {} };
}

/** The document GET /openapi.json serves. */
export const openApiDocument = openApiDocumentOf(ENDPOINTS);
