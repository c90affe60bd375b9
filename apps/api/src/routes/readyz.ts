import { z } from 'zod';
import { failure, json } from '../api-schemas';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

/** Readiness: 200 while the database answers and can write, 503 when not or the process is draining. */
export const readyzRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: the database answers and the process is not shutting down',
    operationId: 'readyz',
    responses: {
      200: json('Ready for traffic.', z.object({ status: z.literal('ready') })),
      503: failure('"database unreachable", "database cannot write" (its disk is full) or "shutting down".'),
    },
    async handle(ctx, { readiness }) {
      const state = await readiness.check();
      if (state.ready) {
        ctx.body = { status: 'ready' };
      } else {
        ctx.status = 503;
        ctx.body = { message: state.reason };
      }
    },
  }),
];
