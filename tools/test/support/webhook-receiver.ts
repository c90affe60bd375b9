import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.timeOrigin + performance.now() at arrival: comparable across processes of one machine. */
  receivedAt: number;
  /** What it answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Answers of the next requests, in order (a status, or 'redirect' to `redirectTo`); then `status`. */
  script: Array<number | 'redirect'>;
  /** The answer once the script has run out. */
  status: number;
  redirectTo?: string;
  /** Those answered 2xx, each parsed. */
  delivered(): Array<{ id: string; type: string; data: Record<string, unknown>; headers: IncomingHttpHeaders; body: string; receivedAt: number }>;
  /** Resolves once `count` requests have been answered 2xx. */
  waitForDelivered(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 that keeps every request and answers as scripted. */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    script: [],
    status: 204,
    delivered: () =>
      receiver.received
        .filter((request) => request.status >= 200 && request.status < 300)
        .map((request) => {
          const parsed = JSON.parse(request.body) as { type: string; data: Record<string, unknown> };
          return { id: String(request.headers['webhook-id']), type: parsed.type, data: parsed.data, headers: request.headers, body: request.body, receivedAt: request.receivedAt };
        }),
    waitForDelivered: async (count, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (receiver.delivered().length < count) {
        if (Date.now() > deadline) throw new Error(`${receiver.delivered().length} of ${count} webhooks delivered within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const answer = (response: ServerResponse, next: number | 'redirect') => {
    if (next === 'redirect') {
      response.writeHead(302, { location: receiver.redirectTo ?? '/' }).end();
      return 302;
    }
    response.writeHead(next).end();
    return next;
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const receivedAt = performance.timeOrigin + performance.now();
      const status = answer(response, receiver.script.shift() ?? receiver.status);
      receiver.received.push({ headers: request.headers, body, receivedAt, status });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}

/** The p-th percentile (0–100) of the values, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
