import { z } from 'zod';
import { json } from '../api-schemas';
import { endpoint } from '../endpoint';
import type { Endpoint } from '../endpoint';

export const rootRoutes: Endpoint[] = [
  endpoint({
    method: 'get',
    path: '/',
    summary: 'Welcome',
    operationId: 'welcome',
    responses: { 200: json('Welcome message.', z.object({ message: z.literal('Bienvenue') })) },
    handle(ctx) {
      ctx.body = { message: 'Bienvenue' };
    },
  }),
];
