import { z } from 'zod';
import { json } from '../api-schemas';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

/** Liveness: the process answers. It checks nothing else, so a slow database never restarts it. */
export const healthzRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    operationId: 'healthz',
    responses: { 200: json('The process is up.', z.object({ status: z.literal('ok') })) },
    handle(ctx) {
      ctx.body = { status: 'ok' };
    },
  }),
];
