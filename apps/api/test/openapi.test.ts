import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '@latchkey/domain';
import { BcryptPasswordHasher, memoryStores } from '@latchkey/adapters';
import { createRouter } from '../src/app';
import { Metrics } from '../src/metrics';
import { openApiDocument, openApiPath } from '../src/openapi-document';
import { Readiness } from '../src/readiness';
import { ENDPOINTS } from '../src/routes';
import type { TestServer } from './harness';
import { listenLocally, startTestServer } from './harness';
import type { ResponseSample } from './openapi-validator';
import { checkResponsesAgainstDocument, openApiProblems } from './openapi-validator';

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

function routerOperations(): string[] {
  const router = createRouter({
    auth: createAuth({ ...memoryStores(), hasher: new BcryptPasswordHasher(4) }),
    cookie: { secure: false, maxAgeSeconds: 60 },
    metrics: new Metrics(),
    readiness: new Readiness(() => Promise.resolve()),
  });
  return router.stack
    .flatMap((layer) => layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${openApiPath(String(layer.path))}`))
    .sort();
}

interface DocumentedOperation {
  operationId: string;
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown } | undefined> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> } | undefined>;
}

function operationOf(path: string, method: string): DocumentedOperation | undefined {
  return (openApiDocument.paths[path] as Record<string, DocumentedOperation> | undefined)?.[method];
}

function documentOperations(): string[] {
  return Object.entries(openApiDocument.paths)
    .flatMap(([path, operations]) => Object.keys(operations).filter((key) => METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe('the OpenAPI document', () => {
  it('has the router\'s operations, one for one', () => {
    const operations = routerOperations();
    expect(operations).toContain('POST /sessions');
    expect(new Set(operations).size).toBe(operations.length);
    expect(documentOperations()).toEqual(operations);
  });

  it('has each endpoint with its body schema, for forms and JSON, and a response per declared status', () => {
    for (const endpoint of ENDPOINTS) {
      const where = `${endpoint.method.toUpperCase()} ${endpoint.path}`;
      const operation = operationOf(openApiPath(endpoint.path), endpoint.method);
      expect(operation, where).toBeDefined();
      if (endpoint.body) {
        const fields = Object.keys(endpoint.body.shape);
        expect(fields.length, where).toBeGreaterThan(0);
        expect(operation!.requestBody?.required, where).toBe(!endpoint.bodyOptional);
        for (const type of ['application/x-www-form-urlencoded', 'application/json']) {
          const schema = operation!.requestBody?.content[type]?.schema as { type?: string; properties?: object } | undefined;
          expect([where, type, schema?.type, Object.keys(schema?.properties ?? {})]).toEqual([where, type, 'object', fields]);
        }
      } else {
        expect(operation!.requestBody, where).toBeUndefined();
      }
      for (const [status, declared] of Object.entries(endpoint.responses)) {
        const documented = operation!.responses[status];
        expect(documented, `${where} → ${status}`).toBeDefined();
        expect(Object.keys(documented!.content ?? {}), `${where} → ${status}`).toEqual(Object.keys(declared.content ?? {}));
        for (const media of Object.values(documented!.content ?? {})) expect(media.schema, `${where} → ${status}`).toBeDefined();
      }
    }
  });

  it('has a body schema for every response but a redirect and No Content', () => {
    for (const [path, operations] of Object.entries(openApiDocument.paths)) {
      for (const [method, operation] of Object.entries(operations as Record<string, DocumentedOperation>)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const schemas = Object.values(response?.content ?? {}).map((media) => media.schema);
          if (status === '204' || status === '302') expect(schemas, `${method} ${path} → ${status}`).toEqual([]);
          else expect(schemas.length > 0 && schemas.every(Boolean), `${method} ${path} → ${status}`).toBe(true);
        }
      }
    }
  });

  it('is OpenAPI 3.1 with a response for every operation and unique operation ids', () => {
    expect(openApiDocument.openapi).toBe('3.1.0');
    const ids = Object.values(openApiDocument.paths).flatMap((operations) =>
      Object.values(operations as Record<string, { operationId: string; responses: object }>).map((operation) => {
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
        return operation.operationId;
      }),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('GET /openapi.json', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the document', async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
  });
});

describe('checking responses against the document', () => {
  const sample = (fields: Partial<ResponseSample>): ResponseSample => ({
    method: 'POST',
    path: '/users',
    status: 200,
    type: 'application/json',
    headers: { 'x-request-id': 'id' },
    body: { email: 'a@example.com', message: 'user created' },
    ...fields,
  });

  it('accepts a documented response', () => {
    expect(openApiProblems(sample({}))).toEqual([]);
    expect(openApiProblems(sample({ method: 'GET', path: '/nowhere', status: 404, body: { message: 'not found' } }))).toEqual([]);
  });

  it.each([
    ['a wrong body', { body: { email: 'a@example.com', message: 'created' } }, /body\/message must be equal to constant/],
    ['an extra field', { body: { email: 'a@example.com', message: 'user created', id: 1 } }, /additional properties/],
    ['an undocumented status', { status: 500, body: { message: 'internal server error' } }, /status not documented/],
    ['an undocumented operation', { method: 'PATCH', path: '/users' }, /no such operation/],
    ['a missing header', { headers: {} }, /header X-Request-Id missing/],
    ['another media type', { type: 'text/plain', body: 'user created' }, /type text\/plain not among application\/json/],
    ['a missing Set-Cookie on login', { path: '/sessions', body: { email: 'a@example.com', message: 'logged in' } }, /header Set-Cookie missing/],
  ])('reports %s', (_name, fields, problem) => {
    expect(openApiProblems(sample(fields)).join('\n')).toMatch(problem);
  });

  it('records, as middleware, what an app answers', async () => {
    const problems: string[] = [];
    const app = new Koa();
    app.use(checkResponsesAgainstDocument(problems));
    app.use((ctx) => {
      ctx.set('X-Request-Id', 'id');
      ctx.body = ctx.path === '/' ? { message: 'Bienvenue' } : { message: 'bonjour' };
    });
    const server = await listenLocally(app);
    const { url } = server;
    await fetch(`${url}/`);
    expect(problems).toEqual([]);
    await fetch(`${url}/healthz`);
    await server.close();
    expect(problems.join('\n')).toMatch(/^GET \/healthz → 200: body must have required property 'status'/);
  });
});
