import { z } from 'zod';
import { json } from '../api-schemas';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

/** The OpenAPI 3.1 document of every route of the API, generated from their declarations. */
export const openapiRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    operationId: 'openapi',
    responses: { 200: json('The OpenAPI 3.1 document.', z.looseObject({ openapi: z.string(), paths: z.looseObject({}) })) },
    handle(ctx, { openApiDocument }) {
      ctx.body = openApiDocument;
    },
  }),
];
