import { z } from 'zod';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

/** Prometheus text format of the process's metrics. */
export const metricsRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    operationId: 'metrics',
    responses: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: z.string() } } } },
    async handle(ctx, { metrics }) {
      ctx.type = metrics.contentType;
      ctx.body = await metrics.render();
    },
  }),
];
